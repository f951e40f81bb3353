/* Prints the layout of libsrtp's srtp_policy_t as the C compiler sees it, one
 * "field offset size" line each; SrtpPolicyLayoutTests compares it with the C# struct. */
#include <stddef.h>
#include <stdio.h>
#include <srtp2/srtp.h>

#define FIELD(name, member) \
    printf("%s %zu %zu\n", name, offsetof(srtp_policy_t, member), sizeof(((srtp_policy_t *)0)->member))

int main(void)
{
    printf("sizeof %zu %zu\n", sizeof(srtp_policy_t), _Alignof(srtp_policy_t));
    printf("crypto_policy 0 %zu\n", sizeof(srtp_crypto_policy_t));
    FIELD("SsrcType", ssrc.type);
    FIELD("SsrcValue", ssrc.value);
    FIELD("Rtp", rtp);
    FIELD("Rtp.AuthTagLen", rtp.auth_tag_len);
    FIELD("Rtcp", rtcp);
    FIELD("Key", key);
    FIELD("Keys", keys);
    FIELD("NumMasterKeys", num_master_keys);
    FIELD("DeprecatedEkt", deprecated_ekt);
    FIELD("WindowSize", window_size);
    FIELD("AllowRepeatTx", allow_repeat_tx);
    FIELD("EncXtnHdr", enc_xtn_hdr);
    FIELD("EncXtnHdrCount", enc_xtn_hdr_count);
    FIELD("Next", next);
    return 0;
}

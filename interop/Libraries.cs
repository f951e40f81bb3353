namespace Mediasoup.Interop;

/// <summary>
/// Every native library name in one place. In the AOT binary these are linked
/// directly (DirectPInvoke in Worker.csproj); JIT-run tests resolve them with dlopen.
/// </summary>
internal static class Libraries
{
    public const string C = "libc";
    public const string Crypto = "libcrypto.so.3";
    public const string Ssl = "libssl.so.3";
    public const string Srtp = "libsrtp2.so.1";
    public const string UsrSctp = "libusrsctp.so.2";
    /// <summary>The C shim in native/ (liburing helpers).</summary>
    public const string Native = "libmsw_native";
}

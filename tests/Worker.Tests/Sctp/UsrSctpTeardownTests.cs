using Mediasoup.Interop.UsrSctp;
using Mediasoup.Sctp;
using Xunit;

namespace Mediasoup.Tests.Sctp;

/// <summary>Runs alone (no other test holds an association meanwhile), so the last lease
/// really is the last one.</summary>
[CollectionDefinition(nameof(UsrSctpTeardownTests), DisableParallelization = true)]
public sealed class UsrSctpTeardownCollection;

/// <summary>usrsctp's stack goes away with the last association and comes back, configured
/// again, with the next one (several workers come and go in one process in library mode).</summary>
[Collection(nameof(UsrSctpTeardownTests))]
public sealed class UsrSctpTeardownTests
{
    private const uint PpidBinary = 53;

    [Fact]
    public void LastAssociationTearsTheStackDown_NextOneInitialisesItAgain()
    {
        for (int round = 0; round < 3; round++)
        {
            using (var pair = new SctpTestPair())
            {
                Assert.True(UsrSctpLibrary.IsInitialized);
                Assert.Equal(0u, UsrSctp.SysctlGetEcnEnable());
                pair.Connect();
                Assert.Equal(SctpSendResult.Ok, pair.A.Association.SendSctpMessage(1, PpidBinary, [1, 2, 3]));
                Assert.True(pair.Pump(() => pair.B.Messages.Count == 1), $"round {round}: message not delivered");
            }
            Assert.Equal(0, UsrSctpLibrary.RegisteredCount);
            Assert.False(UsrSctpLibrary.IsInitialized, $"round {round}: usrsctp still initialised after the last association ({UsrSctpLibrary.LeaseCount} leases held)");
        }
    }
}

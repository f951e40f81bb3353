using System;

namespace Mediasoup.Dtls;

/// <summary>Creating a DTLS context or connection failed; the message includes OpenSSL's errors.</summary>
internal sealed class DtlsException : Exception
{
    public DtlsException(string message) : base(message) { }

    /// <summary><paramref name="what"/> plus (and emptying) this thread's OpenSSL error queue.</summary>
    internal static DtlsException FromOpenSsl(string what)
    {
        string errors = OpenSslErrors.Take();
        return new DtlsException(errors.Length == 0 ? what : $"{what}: {errors}");
    }
}

using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;

namespace Mediasoup.Tests;

/// <summary>An anonymous pipe whose ends are closed on Dispose unless handed off.</summary>
internal sealed unsafe class TestPipe : IDisposable
{
    public int ReadFd { get; private set; } = -1;
    public int WriteFd { get; private set; } = -1;

    public TestPipe(bool nonBlocking = true)
    {
        int* fds = stackalloc int[2];
        int flags = Libc.O_CLOEXEC | (nonBlocking ? Libc.O_NONBLOCK : 0);
        if (Libc.Pipe2(fds, flags) != 0)
            throw new InvalidOperationException($"pipe2 failed: {Libc.ErrorText(Marshal.GetLastPInvokeError())}");
        ReadFd = fds[0];
        WriteFd = fds[1];
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = Libc.Write(WriteFd, p + done, data.Length - done);
                if (n <= 0)
                    throw new InvalidOperationException($"write failed: {Libc.ErrorText(Marshal.GetLastPInvokeError())}");
                done += (int)n;
            }
        }
    }

    /// <summary>Reads what is available now (non-blocking read end): bytes, 0 on EOF, -1 when empty.</summary>
    public int Read(Span<byte> into)
    {
        fixed (byte* p = into)
        {
            nint n = Libc.Read(ReadFd, p, into.Length);
            return n >= 0 ? (int)n : -1;
        }
    }

    public void CloseRead()
    {
        if (ReadFd >= 0)
            Libc.Close(ReadFd);
        ReadFd = -1;
    }

    public void CloseWrite()
    {
        if (WriteFd >= 0)
            Libc.Close(WriteFd);
        WriteFd = -1;
    }

    public void Dispose()
    {
        CloseRead();
        CloseWrite();
    }
}

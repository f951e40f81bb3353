using System;
using System.Runtime.InteropServices;
using System.Text;
using Mediasoup.Interop.Libc;

namespace Mediasoup.Logging;

/// <summary>
/// Lines for the worker's stderr, written with write(2) instead of System.Console: the first
/// use of Console installs the runtime's terminal signal handlers (SIGINT, SIGQUIT, SIGCONT),
/// which in library mode would land in the host's process. Rare paths only (start-up errors,
/// channel trouble): one allocation per line.
/// </summary>
internal static unsafe class Stderr
{
    private const int Fd = 2;

    public static void WriteLine(string text)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        bytes[^1] = (byte)'\n';
        fixed (byte* p = bytes)
        {
            int done = 0;
            while (done < bytes.Length)
            {
                nint n = Libc.Write(Fd, p + done, bytes.Length - done);
                if (n > 0)
                    done += (int)n;
                else if (n < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                    continue;
                else
                    return; // stderr closed or full: nothing better to do with the line
            }
        }
    }
}

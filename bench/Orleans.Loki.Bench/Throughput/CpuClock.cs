using System.Runtime.InteropServices;

namespace Orleans.Loki.Bench.Throughput;

/// <summary>
/// CPU time (user + system) from getrusage(2), with microsecond resolution. The throughput table is measured in CPU
/// time on both sides (this thread, grep's process) so that other work on a shared machine does not count against either.
/// </summary>
internal static partial class CpuClock
{
    private const int RusageChildren = -1;
    private const int RusageThread = 1;

    /// <summary>CPU seconds used so far by the calling thread.</summary>
    public static double ThreadSeconds() => Seconds(RusageThread);

    /// <summary>CPU seconds used so far by waited-for child processes.</summary>
    public static double ChildrenSeconds() => Seconds(RusageChildren);

    private static double Seconds(int who)
    {
        if (getrusage(who, out var usage) != 0)
        {
            throw new InvalidOperationException($"getrusage({who}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        return usage.UserSeconds + (usage.UserMicroseconds / 1e6) + usage.SystemSeconds + (usage.SystemMicroseconds / 1e6);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out Rusage usage);

    // struct rusage on 64-bit Linux: two timevals, then 14 longs this code does not read.
    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        private readonly long _maxrss, _ixrss, _idrss, _isrss, _minflt, _majflt, _nswap, _inblock, _oublock, _msgsnd, _msgrcv, _nsignals, _nvcsw, _nivcsw;
    }
}

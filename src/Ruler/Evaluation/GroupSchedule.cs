using System.IO.Hashing;
using System.Text;

namespace Orleans.Loki.Ruler.Evaluation;

/// <summary>
/// Prometheus' group evaluation slots (<c>rules.Group.EvalTimestamp</c>): each group evaluates at
/// <c>k·interval + offset</c>, where the offset is the hash of the group's <c>name</c> and <c>file</c> labels modulo the
/// interval, so groups spread over the interval and a group keeps its slot across restarts and moves.
/// </summary>
public static class GroupSchedule
{
    /// <summary>The offset of the group's slots within its interval, in nanoseconds.</summary>
    public static long Offset(string file, string name, long intervalNs)
    {
        // Prometheus hashes labels {file=<file>, name=<name>} (sorted by name) as name 0xff value 0xff ... with xxhash64.
        var bytes = new List<byte>();
        void Add(string s)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(s));
            bytes.Add(0xff);
        }
        Add("file");
        Add(file);
        Add("name");
        Add(name);
        var hash = XxHash64.HashToUInt64(bytes.ToArray());
        return (long)(hash % (ulong)intervalNs);
    }

    /// <summary>The latest slot at or before <paramref name="nowNs"/>.</summary>
    public static long EvalTimestamp(long offsetNs, long intervalNs, long nowNs)
    {
        var adjusted = nowNs - offsetNs;
        var @base = adjusted - Mod(adjusted, intervalNs);
        return @base + offsetNs;
    }

    /// <summary>The first evaluation after a (re)start at <paramref name="nowNs"/>: the next slot, as Prometheus' group run loop.</summary>
    public static long FirstEvaluation(long offsetNs, long intervalNs, long nowNs) => EvalTimestamp(offsetNs, intervalNs, nowNs) + intervalNs;

    /// <summary>
    /// The slot to evaluate when woken at <paramref name="nowNs"/> after the evaluation at <paramref name="lastNs"/>, and
    /// how many slots were missed in between (<c>rule_group_iterations_missed_total</c>).
    /// </summary>
    public static (long Next, long Missed) NextAfter(long lastNs, long intervalNs, long nowNs)
    {
        var missed = Math.Max(0, ((nowNs - lastNs) / intervalNs) - 1);
        return (lastNs + ((missed + 1) * intervalNs), missed);
    }

    private static long Mod(long a, long b) => ((a % b) + b) % b;
}

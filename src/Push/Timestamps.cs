using System.Buffers.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.Push;

/// <summary>Nanosecond timestamps: parsing with clear errors (rendering is <see cref="GoTime"/>).</summary>
internal static class Timestamps
{
    private const long NanosPerSecond = 1_000_000_000L;

    public static bool TryFromSecondsAndNanos(long seconds, int nanos, out long timestampNs, out string error)
    {
        timestampNs = 0;
        if (nanos is < 0 or >= 1_000_000_000)
        {
            error = $"invalid timestamp: nanos {nanos} out of range [0, 999999999]";
            return false;
        }

        if (seconds < 0 || seconds > (long.MaxValue - nanos) / NanosPerSecond)
        {
            error = $"invalid timestamp: seconds {seconds} is outside the range representable in nanoseconds since the Unix epoch (1970-01-01 to 2262-04-11)";
            return false;
        }

        timestampNs = (seconds * NanosPerSecond) + nanos;
        error = string.Empty;
        return true;
    }

    /// <summary>Parses a decimal count of nanoseconds since the epoch (the Loki JSON push format).</summary>
    public static bool TryParseNanos(ReadOnlySpan<byte> text, out long timestampNs, out string error)
    {
        if (Utf8Parser.TryParse(text, out timestampNs, out var consumed) && consumed == text.Length && text.Length > 0 && text[0] != '+')
        {
            if (timestampNs < 0)
            {
                error = $"invalid timestamp \"{Printable(text)}\": must not be negative";
                return false;
            }

            error = string.Empty;
            return true;
        }

        var overflow = text.Length > 0 && IsAllDigits(text.TrimStart("-"u8));
        error = overflow
            ? $"invalid timestamp \"{Printable(text)}\": out of range for nanoseconds since the Unix epoch"
            : $"invalid timestamp \"{Printable(text)}\": expected a decimal integer of nanoseconds since the Unix epoch";
        timestampNs = 0;
        return false;
    }


    private static bool IsAllDigits(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return !text.IsEmpty;
    }

    private static string Printable(ReadOnlySpan<byte> text)
    {
        var shown = text.Length > 64 ? text[..64] : text;
        var value = System.Text.Encoding.UTF8.GetString(shown);
        return text.Length > 64 ? value + "..." : value;
    }
}

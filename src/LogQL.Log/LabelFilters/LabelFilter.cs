using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// A label filter expression (<c>| status &gt;= 400 and method="GET"</c>). Numeric, duration and bytes filters
/// skip lines already in error; a value that does not convert sets <c>__error__="LabelFilterErr"</c> and keeps the line.
/// </summary>
public abstract class LabelFilter : IStage
{
    public abstract bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels);

    /// <summary>String matcher filter (<c>name="v"</c>, <c>name=~"re"</c>...); a missing label compares as "".</summary>
    public static LabelFilter String(LabelMatcher matcher) => new StringLabelFilter(matcher ?? throw new ArgumentNullException(nameof(matcher)));

    public static LabelFilter Numeric(string name, ComparisonOperator op, double value) => new NumericLabelFilter(name, op, value);

    /// <summary>Duration filter; the label value is parsed as a Go duration.</summary>
    public static LabelFilter Duration(string name, ComparisonOperator op, long nanoseconds) => new DurationLabelFilter(name, op, nanoseconds);

    /// <summary>Bytes filter; the label value is parsed with humanize semantics.</summary>
    public static LabelFilter Bytes(string name, ComparisonOperator op, ulong bytes) => new BytesLabelFilter(name, op, bytes);

    /// <summary><c>name = ip("...")</c> or <c>name != ip("...")</c>.</summary>
    public static bool TryIp(string name, bool equal, string pattern, out LabelFilter filter, out string? error)
    {
        if (!IpMatcher.TryParse(pattern, out var m, out error))
        {
            filter = null!;
            return false;
        }
        filter = new IpLabelFilter(name, equal, m!);
        return true;
    }

    /// <summary>Both must pass; like Loki the right side also runs when the left fails (it may set labels/errors).</summary>
    public static LabelFilter And(LabelFilter left, LabelFilter right) => new BinaryLabelFilter(left, right, and: true);

    public static LabelFilter Or(LabelFilter left, LabelFilter right) => new BinaryLabelFilter(left, right, and: false);

    internal static bool Compare(int cmp, ComparisonOperator op) => op switch
    {
        ComparisonOperator.Greater => cmp > 0,
        ComparisonOperator.GreaterOrEqual => cmp >= 0,
        ComparisonOperator.Less => cmp < 0,
        ComparisonOperator.LessOrEqual => cmp <= 0,
        ComparisonOperator.Equal => cmp == 0,
        _ => cmp != 0,
    };

    private sealed class BinaryLabelFilter(LabelFilter left, LabelFilter right, bool and) : LabelFilter
    {
        public override bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
        {
            var l = left.Process(timestampNs, ref line, labels);
            if (!and && l)
            {
                return true;
            }
            var r = right.Process(timestampNs, ref line, labels);
            return and ? l && r : r;
        }
    }

    /// <summary>
    /// A value that does not convert keeps the line marked <c>LabelFilterErr</c>, unless it is already in error: as
    /// Loki's numeric, duration and bytes filters, which still compare values that convert on a line in error.
    /// </summary>
    private static void SetFirstError(LabelsBuilder labels, string? details)
    {
        if (!labels.HasError)
        {
            labels.SetError(PipelineErrors.LabelFilter, details);
        }
    }

    private sealed class StringLabelFilter(LabelMatcher matcher) : LabelFilter
    {
        public override bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels) =>
            matcher.Matches(labels.GetOrEmpty(matcher.Name));
    }

    private sealed class NumericLabelFilter(string name, ComparisonOperator op, double value) : LabelFilter
    {
        public override bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
        {
            double v;
            if (labels.TryGetPendingUtf8(name, out var utf8) && TryParseDigits(utf8, out var digits))
            {
                // A plain unsigned integer straight from the parsed bytes: no string, no float parsing.
                v = digits;
            }
            else
            {
                if (!labels.TryGet(name, out var s))
                {
                    return false;
                }
                if (!GoFloat.TryParse(s, out v, out var error))
                {
                    SetFirstError(labels, error);
                    return true;
                }
            }
            return op switch
            {
                ComparisonOperator.Greater => v > value,
                ComparisonOperator.GreaterOrEqual => v >= value,
                ComparisonOperator.Less => v < value,
                ComparisonOperator.LessOrEqual => v <= value,
                ComparisonOperator.Equal => v == value,
                _ => v != value,
            };
        }
    }

    /// <summary>
    /// 1 to 15 ASCII digits (leading zeros included, as Go's <c>ParseFloat</c> reads them): exactly the value the float
    /// parser gives, as every such integer is exact in a double. Anything else (a sign, a point, an exponent, more
    /// digits) is left to <see cref="GoFloat"/>.
    /// </summary>
    internal static bool TryParseDigits(ReadOnlySpan<byte> utf8, out long value)
    {
        value = 0;
        if (utf8.Length is 0 or > 15)
        {
            return false;
        }
        foreach (var b in utf8)
        {
            var d = (uint)(b - '0');
            if (d > 9)
            {
                return false;
            }
            value = value * 10 + d;
        }
        return true;
    }

    private sealed class DurationLabelFilter(string name, ComparisonOperator op, long nanos) : LabelFilter
    {
        public override bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
        {
            if (!labels.TryGet(name, out var s))
            {
                return false;
            }
            if (!GoDuration.TryParse(s, out var v, out var error))
            {
                SetFirstError(labels, error);
                return true;
            }
            return Compare(v.CompareTo(nanos), op);
        }
    }

    private sealed class BytesLabelFilter(string name, ComparisonOperator op, ulong bytes) : LabelFilter
    {
        public override bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
        {
            if (!labels.TryGet(name, out var s))
            {
                return false;
            }
            if (!GoBytes.TryParse(s, out var v, out var error))
            {
                SetFirstError(labels, error);
                return true;
            }
            return Compare(v.CompareTo(bytes), op);
        }
    }

    private sealed class IpLabelFilter(string name, bool equal, IpMatcher matcher) : LabelFilter
    {
        public override bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
        {
            if (labels.HasError)
            {
                return true;
            }
            if (!labels.TryGet(name, out var s))
            {
                return false;
            }
            // As Loki: the value is searched for addresses like a line is ("client 10.0.0.7:80" matches 10.0.0.0/8).
            return matcher.LineContains(System.Text.Encoding.UTF8.GetBytes(s)) == equal;
        }
    }
}

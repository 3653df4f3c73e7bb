using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace Orleans.Loki.Model;

/// <summary>
/// Prometheus/Loki label sets: parsing <c>{a="b", c="d"}</c>, the canonical rendering Loki uses as the
/// stream identity (Prometheus' <c>labels.String()</c>), and a stable fingerprint of that rendering.
/// </summary>
public static partial class LabelSet
{
    /// <summary>Canonical form of an empty label set.</summary>
    public const string Empty = "{}";

    /// <summary>
    /// Renders labels as <c>{a="1", b="2"}</c>: names as they are, values quoted like Go's
    /// <c>strconv.Quote</c>. The caller passes labels already sorted by name (ordinal).
    /// </summary>
    public static string Format(ReadOnlySpan<KeyValuePair<string, string>> sortedLabels)
    {
        if (sortedLabels.IsEmpty)
        {
            return Empty;
        }

        var builder = new StringBuilder(16 * sortedLabels.Length);
        builder.Append('{');
        for (var i = 0; i < sortedLabels.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            builder.Append(sortedLabels[i].Key).Append('=');
            GoQuote.Append(builder, sortedLabels[i].Value);
        }

        builder.Append('}');
        return builder.ToString();
    }

    /// <summary>Sorts the pairs by name (ordinal, stable for equal names) in place and renders them.</summary>
    public static string Canonicalize(KeyValuePair<string, string>[] labels)
    {
        SortByName(labels);
        return Format(labels);
    }

    /// <summary>Sorts by name with an ordinal comparison; stable, so duplicate names keep their order.</summary>
    public static void SortByName(KeyValuePair<string, string>[] labels)
    {
        // Insertion sort: label sets are small (a handful to a few dozen) and it is stable.
        for (var i = 1; i < labels.Length; i++)
        {
            var current = labels[i];
            var j = i - 1;
            while (j >= 0 && string.CompareOrdinal(labels[j].Key, current.Key) > 0)
            {
                labels[j + 1] = labels[j];
                j--;
            }

            labels[j + 1] = current;
        }
    }

    /// <summary>Stable 64-bit hash (XxHash64, seed 0) of the UTF-8 bytes of a canonical label string.</summary>
    public static ulong Fingerprint(string canonical)
    {
        var byteCount = Encoding.UTF8.GetByteCount(canonical);
        byte[]? rented = null;
        var buffer = byteCount <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(byteCount));
        try
        {
            var written = Encoding.UTF8.GetBytes(canonical, buffer);
            return XxHash64.HashToUInt64(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}

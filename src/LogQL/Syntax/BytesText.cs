using System.Globalization;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>Byte-size literals (<c>1KB</c>, <c>2.5MiB</c>) as go-humanize's ParseBytes reads them.</summary>
public static class BytesText
{
    private static readonly Dictionary<string, ulong> s_units = new(StringComparer.Ordinal)
    {
        ["b"] = 1, [""] = 1,
        ["k"] = 1000, ["kb"] = 1000, ["ki"] = 1UL << 10, ["kib"] = 1UL << 10,
        ["m"] = 1000_000, ["mb"] = 1000_000, ["mi"] = 1UL << 20, ["mib"] = 1UL << 20,
        ["g"] = 1000_000_000, ["gb"] = 1000_000_000, ["gi"] = 1UL << 30, ["gib"] = 1UL << 30,
        ["t"] = 1000_000_000_000, ["tb"] = 1000_000_000_000, ["ti"] = 1UL << 40, ["tib"] = 1UL << 40,
        ["p"] = 1000_000_000_000_000, ["pb"] = 1000_000_000_000_000, ["pi"] = 1UL << 50, ["pib"] = 1UL << 50,
        ["e"] = 1000_000_000_000_000_000, ["eb"] = 1000_000_000_000_000_000, ["ei"] = 1UL << 60, ["eib"] = 1UL << 60,
    };

    /// <summary>Parses a humanized byte size; false when the unit is unknown or the number malformed.</summary>
    public static bool TryParse(string s, out ulong bytes)
    {
        bytes = 0;
        var last = 0;
        while (last < s.Length && (char.IsAsciiDigit(s[last]) || s[last] == '.' || s[last] == ','))
        {
            last++;
        }
        var num = s[..last].Replace(",", "", StringComparison.Ordinal);
        if (!double.TryParse(num, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var f))
        {
            return false;
        }
        var unit = s[last..].Trim().ToLowerInvariant();
        if (!s_units.TryGetValue(unit, out var mult))
        {
            return false;
        }
        f *= mult;
        if (f >= ulong.MaxValue)
        {
            return false;
        }
        bytes = (ulong)f;
        return true;
    }

    /// <summary>
    /// Prints an exact, re-parsable size: the unit (SI or IEC) giving the smallest whole amount, else plain bytes.
    /// Loki prints a rounded human form here (1024 becomes 1.0kB, which reads back as 1000); we keep the value exact
    /// because the query frontend re-parses printed queries and a split must never change a result.
    /// </summary>
    public static string Format(ulong bytes)
    {
        ReadOnlySpan<(string Unit, ulong Mult)> units =
        [
            ("EiB", 1UL << 60), ("EB", 1000_000_000_000_000_000), ("PiB", 1UL << 50), ("PB", 1000_000_000_000_000),
            ("TiB", 1UL << 40), ("TB", 1000_000_000_000), ("GiB", 1UL << 30), ("GB", 1000_000_000),
            ("MiB", 1UL << 20), ("MB", 1000_000), ("KiB", 1UL << 10), ("kB", 1000),
        ];
        var best = (Unit: "B", Amount: bytes);
        if (bytes != 0)
        {
            foreach (var (unit, mult) in units)
            {
                if (bytes % mult == 0 && bytes / mult < best.Amount)
                {
                    best = (unit, bytes / mult);
                }
            }
        }
        return best.Amount.ToString(CultureInfo.InvariantCulture) + best.Unit;
    }
}

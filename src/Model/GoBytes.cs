using System.Globalization;

namespace Orleans.Loki.Model;

/// <summary>
/// Byte-size text: go-humanize's <c>ParseBytes</c> (LogQL literals, <c>unwrap bytes</c>, byte filters, templates) and
/// <c>Bytes</c> (as Loki renders sizes in error texts), and an exact re-parsable form for printed queries.
/// </summary>
public static class GoBytes
{
    private static readonly string[] s_units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];

    /// <summary>E.g. 3145728 → <c>3.1 MB</c>, 15728640 → <c>16 MB</c>, 9 → <c>9 B</c>.</summary>
    public static string Humanize(long bytes)
    {
        if (bytes < 10)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }
        var exponent = (int)Math.Floor(Math.Log(bytes) / Math.Log(1000));
        exponent = Math.Min(exponent, s_units.Length - 1);
        var value = Math.Floor((bytes / Math.Pow(1000, exponent) * 10) + 0.5) / 10;
        var format = value < 10 ? "F1" : "F0";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + s_units[exponent];
    }

    /// <summary>go-humanize's <c>ParseBytes</c>: <c>42MB</c> (SI, ×1000), <c>42MiB</c> (IEC, ×1024), case-insensitive, with its error texts.</summary>
    public static bool TryParse(string s, out ulong bytes, out string? error)
    {
        ArgumentNullException.ThrowIfNull(s);
        bytes = 0;
        var lastDigit = 0;
        var hasComma = false;
        foreach (var r in s)
        {
            if (!(char.IsAsciiDigit(r) || r == '.' || r == ','))
            {
                break;
            }
            if (r == ',')
            {
                hasComma = true;
            }
            lastDigit++;
        }
        var num = s[..lastDigit];
        if (hasComma)
        {
            num = num.Replace(",", "", StringComparison.Ordinal);
        }
        if (!double.TryParse(num, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var f))
        {
            error = $"strconv.ParseFloat: parsing {GoQuote.Quote(num)}: invalid syntax";
            return false;
        }
        var extra = s[lastDigit..].Trim().ToLowerInvariant();
        ulong? m = extra switch
        {
            "" or "b" => 1UL,
            "kib" or "ki" => 1UL << 10,
            "kb" or "k" => 1000UL,
            "mib" or "mi" => 1UL << 20,
            "mb" or "m" => 1000_000UL,
            "gib" or "gi" => 1UL << 30,
            "gb" or "g" => 1000_000_000UL,
            "tib" or "ti" => 1UL << 40,
            "tb" or "t" => 1000_000_000_000UL,
            "pib" or "pi" => 1UL << 50,
            "pb" or "p" => 1000_000_000_000_000UL,
            "eib" or "ei" => 1UL << 60,
            "eb" or "e" => 1000_000_000_000_000_000UL,
            _ => null,
        };
        if (m is null)
        {
            error = $"unhandled size name: {extra}";
            return false;
        }
        f *= m.Value;
        if (f >= ulong.MaxValue)
        {
            error = $"too large: {s}";
            return false;
        }
        bytes = (ulong)f;
        error = null;
        return true;
    }

    /// <summary><see cref="TryParse(string, out ulong, out string?)"/> without the error text.</summary>
    public static bool TryParse(string s, out ulong bytes) => TryParse(s, out bytes, out _);

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

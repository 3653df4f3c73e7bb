using System.Globalization;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log;

/// <summary>go-humanize's ParseBytes: <c>42MB</c> (SI, ×1000), <c>42MiB</c> (IEC, ×1024), case-insensitive.</summary>
public static class HumanizeBytes
{
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
}

using System.Globalization;
using Orleans.Loki.Model;

namespace Orleans.Loki.Silo.Configuration;

/// <summary>Parsers for config values in Loki's (Prometheus') notation.</summary>
public static class ConfigValues
{
    /// <summary>Durations like <c>1h30m</c>, <c>500ms</c>, <c>2d</c>, <c>1w</c>, <c>1.5h</c> (Prometheus, then Go syntax), or a bare number of seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }
        if (!GoDuration.TryParseLogQL(text, out var ns))
        {
            return false;
        }
        value = TimeSpan.FromTicks(ns / 100);
        return true;
    }

    public static bool TryParseBool(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on":
                value = true;
                return true;
            case "false" or "0" or "no" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>
    /// Byte sizes as Loki's <c>flagext.ByteSize</c> reads them (c2h5oh/datasize, case-insensitive): a number with an
    /// optional unit <c>B</c>, <c>K</c>/<c>KB</c>, <c>M</c>/<c>MB</c>, <c>G</c>/<c>GB</c>, <c>T</c>/<c>TB</c>,
    /// <c>P</c>/<c>PB</c>, <c>E</c>/<c>EB</c>, every one a power of 1024 (<c>1MB</c> is 1,048,576 bytes). Also read: the
    /// IEC spellings <c>KiB</c>, <c>MiB</c>, ... (the same values), a decimal number before the unit, and a plain
    /// number in exponent form (<c>1.572864e+06</c>, as YAML writes Loki's integer keys).
    /// </summary>
    public static bool TryParseBytes(string text, out long value)
    {
        value = 0;
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain))
        {
            if (plain < 0 || !double.IsFinite(plain) || plain >= long.MaxValue)
            {
                return false;
            }
            value = (long)plain;
            return true;
        }
        var i = 0;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
        {
            i++;
        }
        if (i == 0 || !double.TryParse(text.AsSpan(0, i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }
        int? power = text[i..].Trim().ToUpperInvariant() switch
        {
            "B" or "BYTE" or "BYTES" => 0,
            "K" or "KB" or "KI" or "KIB" or "KILO" or "KILOBYTE" or "KILOBYTES" => 1,
            "M" or "MB" or "MI" or "MIB" or "MEGA" or "MEGABYTE" or "MEGABYTES" => 2,
            "G" or "GB" or "GI" or "GIB" or "GIGA" or "GIGABYTE" or "GIGABYTES" => 3,
            "T" or "TB" or "TI" or "TIB" or "TERA" or "TERABYTE" or "TERABYTES" => 4,
            "P" or "PB" or "PI" or "PIB" or "PETA" or "PETABYTE" or "PETABYTES" => 5,
            "E" or "EB" or "EI" or "EIB" => 6,
            _ => null,
        };
        if (power is null)
        {
            return false;
        }
        var bytes = n * Math.Pow(1024, power.Value);
        if (bytes >= long.MaxValue)
        {
            return false;
        }
        value = (long)bytes;
        return true;
    }
}

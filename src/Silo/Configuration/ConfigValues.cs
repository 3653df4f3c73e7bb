using System.Globalization;
using Orleans.Loki.LogQL.Syntax;

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
        if (!DurationText.TryParse(text, out var ns))
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

    /// <summary>Byte sizes: a plain number, or with a unit (<c>256KB</c>, <c>1.5MiB</c>, <c>2GB</c>).</summary>
    public static bool TryParseBytes(string text, out long value)
    {
        value = 0;
        text = text.Trim();
        var i = 0;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
        {
            i++;
        }
        if (i == 0 || !double.TryParse(text.AsSpan(0, i), NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }
        double? multiplier = text[i..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "KB" or "K" => 1e3,
            "KIB" or "KI" => 1024,
            "MB" or "M" => 1e6,
            "MIB" or "MI" => 1024 * 1024,
            "GB" or "G" => 1e9,
            "GIB" or "GI" => 1024.0 * 1024 * 1024,
            _ => null,
        };
        if (multiplier is null)
        {
            return false;
        }
        value = (long)(n * multiplier.Value);
        return true;
    }
}

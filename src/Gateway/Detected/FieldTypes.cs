using System.Globalization;
using System.Text.RegularExpressions;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Detected;

/// <summary>
/// The type Loki's detected_fields gives a value: the first of Go's <c>ParseInt</c>, <c>ParseFloat</c>,
/// <c>ParseBool</c>, <c>time.ParseDuration</c> and go-humanize's <c>ParseBytes</c> that accepts it, else string.
/// </summary>
internal static partial class FieldTypes
{
    public const string String = "string";
    public const string Int = "int";
    public const string Float = "float";
    public const string Boolean = "boolean";
    public const string Duration = "duration";
    public const string Bytes = "bytes";

    public static string Determine(string value)
    {
        if (IsGoInt(value))
        {
            return Int;
        }
        if (IsGoFloat(value))
        {
            return Float;
        }
        if (value is "1" or "t" or "T" or "TRUE" or "true" or "True" or "0" or "f" or "F" or "FALSE" or "false" or "False")
        {
            return Boolean;
        }
        if (GoDuration().IsMatch(value))
        {
            return Duration;
        }
        return GoBytes.TryParse(value, out _) ? Bytes : String;
    }

    /// <summary>Go's <c>strconv.ParseInt(v, 10, 64)</c>: optional sign, decimal digits, in range.</summary>
    public static bool IsGoInt(string value) =>
        value.Length > 0 && value.Trim() == value && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    /// <summary>Go's <c>strconv.ParseFloat(v, 64)</c> succeeds.</summary>
    public static bool IsGoFloat(string value) => GoFloat.TryParse(value, out _, out _);

    /// <summary>
    /// A byte size as Loki shows it among detected field values: go-humanize's <c>Bytes</c> (SI units, one decimal under
    /// ten) without the space, so the value can be pasted into a query; null when the value is not a sized byte value.
    /// </summary>
    public static string? FormatBytesValue(string value)
    {
        if (!GoBytes.TryParse(value, out var bytes) || !HasBytesUnit(value.ToLowerInvariant()))
        {
            return null;
        }
        if (bytes < 10)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + "B";
        }
        string[] sizes = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
        var e = (int)Math.Floor(Math.Log(bytes) / Math.Log(1000));
        var val = Math.Floor(bytes / Math.Pow(1000, e) * 10 + 0.5) / 10;
        // Go's %.1f / %.0f round half to even.
        var number = val < 10
            ? val.ToString("0.0", CultureInfo.InvariantCulture)
            : Math.Round(val, 0, MidpointRounding.ToEven).ToString("0", CultureInfo.InvariantCulture);
        return number + sizes[e];
    }

    private static bool HasBytesUnit(string lower)
    {
        string[] units = ["b", "kib", "kb", "mib", "mb", "gib", "gb", "tib", "tb", "pib", "pb", "eib", "eb", "ki", "k", "mi", "m", "gi", "g", "ti", "t", "pi", "p", "ei", "e"];
        foreach (var unit in units)
        {
            if (lower.EndsWith(unit, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    [GeneratedRegex(@"^([+-]?0|[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$", RegexOptions.CultureInvariant)]
    private static partial Regex GoDuration();
}

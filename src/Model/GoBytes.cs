using System.Globalization;

namespace Orleans.Loki.Model;

/// <summary>Byte sizes rendered as Loki renders them in error texts (go-humanize <c>Bytes</c>: SI units, one decimal below 10).</summary>
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
}

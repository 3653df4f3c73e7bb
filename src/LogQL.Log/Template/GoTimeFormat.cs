using System.Globalization;
using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log.Template;

/// <summary>Go reference-time layouts (<c>2006-01-02T15:04:05Z07:00</c>) for formatting and parsing.</summary>
internal static class GoTimeFormat
{
    private static readonly string[] Chunks =
    [
        "January", "Jan", "Monday", "Mon", "MST",
        "2006", "002", "01", "02", "03", "04", "05", "06", "_2", "15", "1", "2", "3", "4", "5", "PM", "pm",
        "Z07:00:00", "Z070000", "Z07:00", "Z0700", "Z07", "-07:00:00", "-070000", "-07:00", "-0700", "-07",
    ];

    private static (string? Chunk, int Length) NextChunk(string layout, int i)
    {
        if ((layout[i] == '.' || layout[i] == ',') && i + 1 < layout.Length && (layout[i + 1] == '0' || layout[i + 1] == '9'))
        {
            var d = layout[i + 1];
            var j = i + 1;
            while (j < layout.Length && layout[j] == d)
            {
                j++;
            }
            if (j >= layout.Length || !char.IsAsciiDigit(layout[j]))
            {
                return ("." + new string(d, j - i - 1), j - i);
            }
        }
        foreach (var c in Chunks)
        {
            if (string.CompareOrdinal(layout, i, c, 0, c.Length) == 0)
            {
                // "Jan"/"Mon" must not be prefixes of longer lowercase words ("Janet"), as in Go
                if ((c == "Jan" || c == "Mon") && i + c.Length < layout.Length && char.IsAsciiLetterLower(layout[i + c.Length]))
                {
                    continue;
                }
                return (c, c.Length);
            }
        }
        return (null, 1);
    }

    public static string Format(GoTime t, string layout)
    {
        var sb = new StringBuilder(layout.Length + 10);
        var local = t.Local;
        var offset = t.Offset;
        var i = 0;
        while (i < layout.Length)
        {
            var (chunk, len) = NextChunk(layout, i);
            if (chunk is null)
            {
                sb.Append(layout[i]);
                i++;
                continue;
            }
            i += len;
            var inv = CultureInfo.InvariantCulture;
            switch (chunk)
            {
                case "January": sb.Append(local.ToString("MMMM", inv)); break;
                case "Jan": sb.Append(local.ToString("MMM", inv)); break;
                case "Monday": sb.Append(local.DayOfWeek.ToString()); break;
                case "Mon": sb.Append(local.DayOfWeek.ToString()[..3]); break;
                case "MST": sb.Append(t.ZoneAbbreviation); break;
                case "2006": sb.Append(local.Year.ToString("0000", inv)); break;
                case "06": sb.Append((local.Year % 100).ToString("00", inv)); break;
                case "01": sb.Append(local.Month.ToString("00", inv)); break;
                case "1": sb.Append(local.Month.ToString(inv)); break;
                case "002": sb.Append(local.DayOfYear.ToString("000", inv)); break;
                case "02": sb.Append(local.Day.ToString("00", inv)); break;
                case "_2": sb.Append(local.Day.ToString(inv).PadLeft(2)); break;
                case "2": sb.Append(local.Day.ToString(inv)); break;
                case "15": sb.Append(local.Hour.ToString("00", inv)); break;
                case "03": sb.Append(Hour12(local.Hour).ToString("00", inv)); break;
                case "3": sb.Append(Hour12(local.Hour).ToString(inv)); break;
                case "04": sb.Append(local.Minute.ToString("00", inv)); break;
                case "4": sb.Append(local.Minute.ToString(inv)); break;
                case "05": sb.Append(local.Second.ToString("00", inv)); break;
                case "5": sb.Append(local.Second.ToString(inv)); break;
                case "PM": sb.Append(local.Hour >= 12 ? "PM" : "AM"); break;
                case "pm": sb.Append(local.Hour >= 12 ? "pm" : "am"); break;
                default:
                    if (chunk[0] == '.')
                    {
                        var digits = chunk.Length - 1;
                        var frac = t.Nanos.ToString("000000000", inv)[..Math.Min(9, digits)];
                        if (chunk[1] == '9')
                        {
                            frac = frac.TrimEnd('0');
                            if (frac.Length > 0)
                            {
                                sb.Append('.').Append(frac);
                            }
                        }
                        else
                        {
                            sb.Append('.').Append(frac);
                        }
                        break;
                    }
                    AppendZone(sb, chunk, offset);
                    break;
            }
        }
        return sb.ToString();
    }

    private static int Hour12(int h) => h % 12 == 0 ? 12 : h % 12;

    private static void AppendZone(StringBuilder sb, string chunk, TimeSpan offset)
    {
        if (chunk[0] == 'Z' && offset == TimeSpan.Zero)
        {
            sb.Append('Z');
            return;
        }
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var o = offset.Duration();
        var body = chunk[0] == 'Z' ? chunk[1..] : chunk;
        sb.Append(sign).Append(o.Hours.ToString("00", CultureInfo.InvariantCulture));
        var colon = body.Contains(':', StringComparison.Ordinal);
        if (body.Length > 3)
        {
            sb.Append(colon ? ":" : "").Append(o.Minutes.ToString("00", CultureInfo.InvariantCulture));
        }
        if (body.Length > 6)
        {
            sb.Append(colon ? ":" : "").Append(o.Seconds.ToString("00", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Parses <paramref name="value"/> with a Go layout; times without a zone are taken in <paramref name="zone"/>.</summary>
    public static bool TryParse(string layout, string value, TimeZoneInfo zone, out GoTime time, out string? error)
    {
        time = GoTime.Zero;
        error = null;
        int year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0, yday = -1;
        bool? pm = null;
        TimeSpan? offset = null;
        var v = 0;
        var i = 0;
        while (i < layout.Length)
        {
            var (chunk, len) = NextChunk(layout, i);
            if (chunk is null)
            {
                if (v >= value.Length || value[v] != layout[i])
                {
                    return Fail(layout, value, out error);
                }
                i++;
                v++;
                continue;
            }
            i += len;
            var ok = true;
            switch (chunk)
            {
                case "January" or "Jan":
                {
                    ok = false;
                    for (var m = 1; m <= 12; m++)
                    {
                        var name = CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(m);
                        if (chunk == "Jan")
                        {
                            name = name[..3];
                        }
                        if (string.Compare(value, v, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0)
                        {
                            month = m;
                            v += name.Length;
                            ok = true;
                            break;
                        }
                    }
                    break;
                }
                case "Monday" or "Mon":
                {
                    ok = false;
                    foreach (var d in Enum.GetNames<DayOfWeek>())
                    {
                        var name = chunk == "Mon" ? d[..3] : d;
                        if (string.Compare(value, v, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0)
                        {
                            v += name.Length;
                            ok = true;
                            break;
                        }
                    }
                    break;
                }
                case "MST":
                    if (v + 3 <= value.Length && value.AsSpan(v, 3).SequenceEqual("UTC"))
                    {
                        offset ??= TimeSpan.Zero;
                        v += 3;
                    }
                    else
                    {
                        while (v < value.Length && char.IsAsciiLetterUpper(value[v]))
                        {
                            v++;
                        }
                    }
                    break;
                case "2006": ok = Digits(value, ref v, 4, 4, out year); break;
                case "06": ok = Digits(value, ref v, 2, 2, out year); year += year >= 69 ? 1900 : 2000; break;
                case "01": ok = Digits(value, ref v, 2, 2, out month); break;
                case "1": ok = Digits(value, ref v, 1, 2, out month); break;
                case "002": ok = Digits(value, ref v, 3, 3, out yday); break;
                case "02": ok = Digits(value, ref v, 2, 2, out day); break;
                case "_2":
                    if (v < value.Length && value[v] == ' ')
                    {
                        v++;
                    }
                    ok = Digits(value, ref v, 1, 2, out day);
                    break;
                case "2": ok = Digits(value, ref v, 1, 2, out day); break;
                case "15": ok = Digits(value, ref v, 1, 2, out hour); break;
                case "03": ok = Digits(value, ref v, 2, 2, out hour); break;
                case "3": ok = Digits(value, ref v, 1, 2, out hour); break;
                case "04": ok = Digits(value, ref v, 2, 2, out minute); break;
                case "4": ok = Digits(value, ref v, 1, 2, out minute); break;
                case "05": ok = Digits(value, ref v, 2, 2, out second); break;
                case "5": ok = Digits(value, ref v, 1, 2, out second); break;
                case "PM" or "pm":
                    if (v + 2 <= value.Length)
                    {
                        var s = value.Substring(v, 2).ToUpperInvariant();
                        pm = s == "PM" ? true : s == "AM" ? false : null;
                        ok = pm is not null;
                        v += 2;
                    }
                    else
                    {
                        ok = false;
                    }
                    break;
                default:
                    if (chunk[0] == '.')
                    {
                        ok = ParseFraction(value, ref v, out nanos);
                        break;
                    }
                    ok = ParseZone(value, ref v, chunk, out var off);
                    offset = off;
                    break;
            }
            if (!ok)
            {
                return Fail(layout, value, out error);
            }
            // Go accepts a fractional second after seconds even when the layout has none.
            if (chunk is "05" or "5" && (i >= layout.Length || layout[i] != '.') && v < value.Length && value[v] == '.')
            {
                if (!ParseFraction(value, ref v, out nanos))
                {
                    return Fail(layout, value, out error);
                }
            }
        }
        if (v != value.Length)
        {
            error = $"parsing time {GoQuote.Quote(value)}: extra text: {GoQuote.Quote(value[v..])}";
            return false;
        }
        if (pm == true && hour < 12)
        {
            hour += 12;
        }
        else if (pm == false && hour == 12)
        {
            hour = 0;
        }
        if (yday > 0)
        {
            var d0 = new DateTime(year, 1, 1).AddDays(yday - 1);
            month = d0.Month;
            day = d0.Day;
        }
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Clamp(year, 1, 9999), month) || hour > 23 || minute > 59 || second > 59)
        {
            error = $"parsing time {GoQuote.Quote(value)}: day out of range";
            return false;
        }
        var wall = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        var off2 = offset ?? zone.GetUtcOffset(wall);
        var unix = new DateTimeOffset(wall, off2).ToUnixTimeSeconds();
        var tz = offset is null ? zone : offset == TimeSpan.Zero ? TimeZoneInfo.Utc : TimeZoneInfo.CreateCustomTimeZone("fixed", off2, "fixed", "fixed");
        time = new GoTime(unix, nanos, tz);
        return true;
    }

    private static bool Fail(string layout, string value, out string error)
    {
        error = $"parsing time {GoQuote.Quote(value)} as {GoQuote.Quote(layout)}: cannot parse";
        return false;
    }

    private static bool Digits(string s, ref int v, int min, int max, out int result)
    {
        result = 0;
        var start = v;
        while (v < s.Length && v - start < max && char.IsAsciiDigit(s[v]))
        {
            result = result * 10 + (s[v] - '0');
            v++;
        }
        return v - start >= min;
    }

    private static bool ParseFraction(string s, ref int v, out int nanos)
    {
        nanos = 0;
        if (v >= s.Length || (s[v] != '.' && s[v] != ','))
        {
            return true; // fractional seconds are optional when absent
        }
        v++;
        var digits = 0;
        while (v < s.Length && char.IsAsciiDigit(s[v]))
        {
            if (digits < 9)
            {
                nanos = nanos * 10 + (s[v] - '0');
            }
            digits++;
            v++;
        }
        for (var k = digits; k < 9; k++)
        {
            nanos *= 10;
        }
        return digits > 0;
    }

    private static bool ParseZone(string s, ref int v, string chunk, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (chunk[0] == 'Z' && v < s.Length && s[v] == 'Z')
        {
            v++;
            return true;
        }
        if (v >= s.Length || (s[v] != '+' && s[v] != '-'))
        {
            return false;
        }
        var sign = s[v] == '-' ? -1 : 1;
        v++;
        if (!Digits(s, ref v, 2, 2, out var h))
        {
            return false;
        }
        var m = 0;
        var body = chunk[0] == 'Z' ? chunk[1..] : chunk;
        if (body.Length > 3)
        {
            if (v < s.Length && s[v] == ':')
            {
                v++;
            }
            if (!Digits(s, ref v, 2, 2, out m))
            {
                return false;
            }
        }
        offset = sign * new TimeSpan(h, m, 0);
        return true;
    }
}

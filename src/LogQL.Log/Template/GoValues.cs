using System.Collections;
using System.Globalization;
using System.Text;

namespace Orleans.Loki.LogQL.Log.Template;

/// <summary>Go value semantics for template data: truthiness, printing (fmt %v) and sprig/cast conversions.</summary>
internal static class GoValues
{
    public static bool IsTrue(object? v) => v switch
    {
        null => false,
        bool b => b,
        string s => s.Length > 0,
        long l => l != 0,
        double d => d != 0,
        GoTime => true,
        ICollection c => c.Count > 0,
        _ => true,
    };

    public static string TypeName(object? v) => v switch
    {
        null => "<nil>",
        string => "string",
        long => "int",
        double => "float64",
        bool => "bool",
        GoTime => "time.Time",
        Dictionary<string, string> => "map[string]string",
        Dictionary<string, object?> => "map[string]interface {}",
        List<object?> => "[]interface {}",
        _ => v.GetType().Name,
    };

    /// <summary>fmt.Sprint of one value.</summary>
    public static string Print(object? v)
    {
        var sb = new StringBuilder();
        Print(sb, v, top: true);
        return sb.ToString();
    }

    public static void Print(StringBuilder sb, object? v, bool top = false)
    {
        switch (v)
        {
            case null:
                sb.Append(top ? "<no value>" : "<nil>");
                break;
            case string s:
                sb.Append(s);
                break;
            case long l:
                sb.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                sb.Append(Model.GoFloat.FormatV(d));
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case GoTime t:
                sb.Append(t.ToString());
                break;
            case Dictionary<string, string> m:
                sb.Append("map[");
                var first = true;
                foreach (var k in m.Keys.Order(StringComparer.Ordinal))
                {
                    sb.Append(first ? "" : " ").Append(k).Append(':').Append(m[k]);
                    first = false;
                }
                sb.Append(']');
                break;
            case Dictionary<string, object?> om:
                sb.Append("map[");
                var f2 = true;
                foreach (var k in om.Keys.Order(StringComparer.Ordinal))
                {
                    sb.Append(f2 ? "" : " ").Append(k).Append(':');
                    Print(sb, om[k]);
                    f2 = false;
                }
                sb.Append(']');
                break;
            case List<object?> list:
                sb.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(' ');
                    }
                    Print(sb, list[i]);
                }
                sb.Append(']');
                break;
            default:
                sb.Append(Convert.ToString(v, CultureInfo.InvariantCulture));
                break;
        }
    }

    // cast.ToInt64 semantics used by sprig math helpers; unconvertible values give 0.
    public static long ToInt64(object? v) => v switch
    {
        long l => l,
        double d => double.IsNaN(d) ? 0 : (long)d,
        bool b => b ? 1 : 0,
        string s => ParseIntLoose(s),
        _ => 0,
    };

    public static double ToFloat64(object? v) => v switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        string s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0,
        _ => 0,
    };

    private static long ParseIntLoose(string s)
    {
        // cast trims a ".0+" decimal tail before strconv.ParseInt(s, 0, 0) (base prefixes allowed)
        var t = s;
        var dot = t.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && t.AsSpan(dot + 1).TrimEnd('0').Length == 0)
        {
            t = t[..dot];
        }
        var neg = t.StartsWith('-');
        var body = t.TrimStart('-', '+');
        try
        {
            long r;
            if (body.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                r = Convert.ToInt64(body[2..], 16);
            }
            else if (body.StartsWith("0b", StringComparison.OrdinalIgnoreCase))
            {
                r = Convert.ToInt64(body[2..], 2);
            }
            else if (body.StartsWith("0o", StringComparison.OrdinalIgnoreCase))
            {
                r = Convert.ToInt64(body[2..], 8);
            }
            else if (body.Length > 1 && body[0] == '0')
            {
                r = Convert.ToInt64(body[1..], 8);
            }
            else
            {
                r = long.Parse(body, NumberStyles.None, CultureInfo.InvariantCulture);
            }
            return neg ? -r : r;
        }
        catch (FormatException)
        {
            return 0;
        }
        catch (OverflowException)
        {
            return 0;
        }
        catch (ArgumentException)
        {
            return 0;
        }
    }

    /// <summary>Basic-kind equality/ordering as text/template's eq/lt do (numbers compare across int/float).</summary>
    public static int Compare(object? a, object? b, string fn)
    {
        switch (a, b)
        {
            case (string x, string y):
                return string.CompareOrdinal(x, y);
            case (long x, long y):
                return x.CompareTo(y);
            case (long or double, long or double):
                return ToFloat64(a).CompareTo(ToFloat64(b));
            case (bool x, bool y) when fn is "eq" or "ne":
                return x == y ? 0 : 1;
            case (null, null) when fn is "eq" or "ne":
                return 0;
            default:
                if (fn is "eq" or "ne" && (a is null || b is null))
                {
                    return 1;
                }
                throw new TemplateException($"error calling {fn}: incompatible types for comparison");
        }
    }
}

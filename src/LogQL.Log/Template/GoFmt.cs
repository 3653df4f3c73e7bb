using System.Globalization;
using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log.Template;

/// <summary>The subset of Go's fmt used by templates: Sprint, Sprintln, Sprintf.</summary>
internal static class GoFmt
{
    public static string Sprint(ReadOnlySpan<object?> args)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < args.Length; i++)
        {
            // Sprint adds spaces between operands when neither is a string
            if (i > 0 && args[i] is not string && args[i - 1] is not string)
            {
                sb.Append(' ');
            }
            GoValues.Print(sb, args[i]);
        }
        return sb.ToString();
    }

    public static string Sprintln(ReadOnlySpan<object?> args)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < args.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }
            GoValues.Print(sb, args[i]);
        }
        return sb.Append('\n').ToString();
    }

    public static string Sprintf(string format, ReadOnlySpan<object?> args)
    {
        var sb = new StringBuilder(format.Length + 16);
        var argi = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }
            if (++i >= format.Length)
            {
                sb.Append("%!(NOVERB)");
                break;
            }
            bool minus = false, plus = false, zero = false, space = false;
            for (; i < format.Length; i++)
            {
                var f = format[i];
                if (f == '-') { minus = true; }
                else if (f == '+') { plus = true; }
                else if (f == '0') { zero = true; }
                else if (f == ' ') { space = true; }
                else if (f == '#') { }
                else { break; }
            }
            var width = ReadNumber(format, ref i);
            int? prec = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                prec = ReadNumber(format, ref i) ?? 0;
            }
            if (i >= format.Length)
            {
                sb.Append("%!(NOVERB)");
                break;
            }
            var verb = format[i];
            if (verb == '%')
            {
                sb.Append('%');
                continue;
            }
            if (argi >= args.Length)
            {
                sb.Append("%!").Append(verb).Append("(MISSING)");
                continue;
            }
            TemplateContext.CheckSize((long)(width ?? 0) + sb.Length);
            var text = FormatOne(verb, args[argi++], prec, plus, space);
            if (width is int w && text.Length < w)
            {
                text = minus ? text.PadRight(w) : zero && verb is not ('s' or 'q' or 'v') ? PadZero(text, w) : text.PadLeft(w);
            }
            sb.Append(text);
        }
        if (argi < args.Length)
        {
            sb.Append("%!(EXTRA ");
            for (var k = argi; k < args.Length; k++)
            {
                sb.Append(k > argi ? ", " : "").Append(GoValues.TypeName(args[k])).Append('=');
                GoValues.Print(sb, args[k]);
            }
            sb.Append(')');
        }
        return sb.ToString();
    }

    private static string PadZero(string text, int w)
    {
        var neg = text.StartsWith('-') || text.StartsWith('+');
        return neg ? text[0] + text[1..].PadLeft(w - 1, '0') : text.PadLeft(w, '0');
    }

    private static int? ReadNumber(string s, ref int i)
    {
        var start = i;
        var n = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            n = Math.Min(n * 10 + (s[i] - '0'), 1_000_000);
            i++;
        }
        return i > start ? n : null;
    }

    private static string FormatOne(char verb, object? arg, int? prec, bool plus, bool space)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (verb, arg)
        {
            case ('v', _):
                return GoValues.Print(arg) is var s && arg is null ? "<nil>" : s;
            case ('s', string str):
                return prec is int p && p < str.Length ? str[..p] : str;
            case ('s', not null and not string):
                return GoValues.Print(arg);
            case ('q', string str):
                return GoQuote.Quote(str);
            case ('d', long l):
                return Sign(l.ToString(inv), l >= 0, plus, space);
            case ('c', long l):
                return char.ConvertFromUtf32((int)l);
            case ('x' or 'X', long l):
                var hx = Math.Abs(l).ToString(verb == 'x' ? "x" : "X", inv);
                return l < 0 ? "-" + hx : hx;
            case ('x' or 'X', string str):
                var h = Convert.ToHexString(Encoding.UTF8.GetBytes(str));
                return verb == 'x' ? h.ToLowerInvariant() : h;
            case ('f' or 'F', double d):
                return Sign(d.ToString("F" + (prec ?? 6), inv), d >= 0, plus, space);
            case ('f' or 'F', long l):
                return "%!f(int=" + l.ToString(inv) + ")";
            case ('e', double d):
                return Sign(FormatExp(d, prec ?? 6), d >= 0, plus, space);
            case ('g', double d):
                return Sign(prec is null ? Model.GoFloat.FormatV(d) : d.ToString("G" + prec, inv), d >= 0, plus, space);
            case ('t', bool b):
                return b ? "true" : "false";
            default:
                return $"%!{verb}({GoValues.TypeName(arg)}={GoValues.Print(arg)})";
        }
    }

    private static string Sign(string s, bool nonNegative, bool plus, bool space) =>
        nonNegative && plus ? "+" + s : nonNegative && space ? " " + s : s;

    private static string FormatExp(double d, int prec)
    {
        var s = d.ToString((prec == 0 ? "0" : "0." + new string('0', prec)) + "e+00", CultureInfo.InvariantCulture);
        return s;
    }
}

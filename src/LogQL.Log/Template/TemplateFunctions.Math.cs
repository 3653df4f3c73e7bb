
namespace Orleans.Loki.LogQL.Log.Template;

internal static partial class TemplateFunctions
{
    private static void AddMath(Dictionary<string, Func> t)
    {
        Add(t, "int", 1, 1, static (_, a) => GoValues.ToInt64(a[0]));
        Add(t, "float64", 1, 1, static (_, a) => GoValues.ToFloat64(a[0]));
        Add(t, "add", 0, -1, static (_, a) =>
        {
            long r = 0;
            foreach (var v in a)
            {
                r += GoValues.ToInt64(v);
            }
            return r;
        });
        Add(t, "sub", 2, 2, static (_, a) => GoValues.ToInt64(a[0]) - GoValues.ToInt64(a[1]));
        Add(t, "mul", 1, -1, static (_, a) =>
        {
            var r = GoValues.ToInt64(a[0]);
            for (var i = 1; i < a.Length; i++)
            {
                r *= GoValues.ToInt64(a[i]);
            }
            return r;
        });
        Add(t, "div", 2, 2, static (_, a) => GoValues.ToInt64(a[1]) == 0
            ? throw new TemplateException("runtime error: integer divide by zero")
            : GoValues.ToInt64(a[0]) / GoValues.ToInt64(a[1]));
        Add(t, "mod", 2, 2, static (_, a) => GoValues.ToInt64(a[1]) == 0
            ? throw new TemplateException("runtime error: integer divide by zero")
            : GoValues.ToInt64(a[0]) % GoValues.ToInt64(a[1]));
        Add(t, "max", 1, -1, static (_, a) =>
        {
            var r = GoValues.ToInt64(a[0]);
            for (var i = 1; i < a.Length; i++)
            {
                r = Math.Max(r, GoValues.ToInt64(a[i]));
            }
            return r;
        });
        Add(t, "min", 1, -1, static (_, a) =>
        {
            var r = GoValues.ToInt64(a[0]);
            for (var i = 1; i < a.Length; i++)
            {
                r = Math.Min(r, GoValues.ToInt64(a[i]));
            }
            return r;
        });
        // sprig computes these with decimals, which keeps 0.1+0.2 at 0.3
        Add(t, "addf", 0, -1, static (_, a) =>
        {
            decimal r = 0;
            foreach (var v in a)
            {
                r += Dec(v);
            }
            return (double)r;
        });
        Add(t, "subf", 1, -1, static (_, a) => Fold(a, static (x, y) => x - y));
        Add(t, "mulf", 1, -1, static (_, a) => Fold(a, static (x, y) => x * y));
        Add(t, "divf", 1, -1, static (_, a) => Fold(a, static (x, y) => y == 0 ? throw new TemplateException("decimal division by 0") : x / y));
        Add(t, "maxf", 1, -1, static (_, a) =>
        {
            var r = GoValues.ToFloat64(a[0]);
            for (var i = 1; i < a.Length; i++)
            {
                r = Math.Max(r, GoValues.ToFloat64(a[i]));
            }
            return r;
        });
        Add(t, "minf", 1, -1, static (_, a) =>
        {
            var r = GoValues.ToFloat64(a[0]);
            for (var i = 1; i < a.Length; i++)
            {
                r = Math.Min(r, GoValues.ToFloat64(a[i]));
            }
            return r;
        });
        Add(t, "ceil", 1, 1, static (_, a) => Math.Ceiling(GoValues.ToFloat64(a[0])));
        Add(t, "floor", 1, 1, static (_, a) => Math.Floor(GoValues.ToFloat64(a[0])));
        Add(t, "round", 2, 3, static (_, a) => Round(a));
        Add(t, "abs", 1, 1, static (_, a) => a[0] switch
        {
            long l => Math.Abs(l),
            var v => Math.Abs(GoValues.ToFloat64(v)),
        });
    }

    private static decimal Dec(object? v)
    {
        var d = GoValues.ToFloat64(v);
        if (double.IsNaN(d) || double.IsInfinity(d) || Math.Abs(d) > 7.9e27)
        {
            throw new TemplateException($"cannot convert {Model.GoFloat.FormatV(d)} to decimal");
        }
        return (decimal)d;
    }

    private static double Fold(object?[] a, Func<decimal, decimal, decimal> op)
    {
        var r = Dec(a[0]);
        for (var i = 1; i < a.Length; i++)
        {
            r = op(r, Dec(a[i]));
        }
        return (double)r;
    }

    // sprig round(a, places, roundOn=.5): rounds up when the fractional part is >= roundOn
    private static double Round(object?[] a)
    {
        var roundOn = a.Length > 2 ? GoValues.ToFloat64(a[2]) : 0.5;
        var val = GoValues.ToFloat64(a[0]);
        var pow = Math.Pow(10, GoValues.ToFloat64(a[1]));
        var digit = pow * val;
        var frac = digit - Math.Truncate(digit);
        var rounded = frac >= roundOn ? Math.Ceiling(digit) : Math.Floor(digit);
        return rounded / pow;
    }
}

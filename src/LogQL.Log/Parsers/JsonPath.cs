using System.Globalization;
using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log;

/// <summary>A parsed json parameter path such as <c>a.b[0]["c d"]</c>: each step is a field name or an array index.</summary>
internal sealed class JsonPath
{
    private JsonPath(object[] steps) => Steps = steps;

    /// <summary>string for object fields, int for array indexes.</summary>
    public object[] Steps { get; }

    public static bool TryParse(string expression, out JsonPath? path, out string? error)
    {
        path = null;
        var steps = new List<object>();
        var s = expression;
        var i = 0;
        var expectField = true;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '.')
            {
                if ((steps.Count == 0 && i != 0) || (expectField && steps.Count > 0) || i + 1 >= s.Length)
                {
                    return Fail(expression, out error);
                }
                i++;
                expectField = true;
                continue;
            }
            if (c == '[')
            {
                var end = s.IndexOf(']', i);
                if (end < 0)
                {
                    return Fail(expression, out error);
                }
                var inner = s.AsSpan(i + 1, end - i - 1).Trim();
                if (inner.Length >= 2 && inner[0] == '"')
                {
                    // string key; find the closing quote honouring escapes
                    var close = FindClosingQuote(s, s.IndexOf('"', i));
                    if (close < 0)
                    {
                        return Fail(expression, out error);
                    }
                    end = s.IndexOf(']', close);
                    if (end < 0 || !GoQuote.TryUnquote(s.AsSpan(s.IndexOf('"', i), close - s.IndexOf('"', i) + 1), out var key))
                    {
                        return Fail(expression, out error);
                    }
                    steps.Add(key);
                }
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    steps.Add(index);
                }
                else
                {
                    return Fail(expression, out error);
                }
                i = end + 1;
                expectField = false;
                continue;
            }
            if (!expectField && steps.Count > 0)
            {
                return Fail(expression, out error);
            }
            var sb = new StringBuilder();
            while (i < s.Length && s[i] != '.' && s[i] != '[' && s[i] != ']' && s[i] != '"' && !char.IsWhiteSpace(s[i]))
            {
                sb.Append(s[i++]);
            }
            if (sb.Length == 0)
            {
                return Fail(expression, out error);
            }
            steps.Add(sb.ToString());
            expectField = false;
        }
        if (steps.Count == 0)
        {
            return Fail(expression, out error);
        }
        path = new JsonPath([.. steps]);
        error = null;
        return true;
    }

    private static int FindClosingQuote(string s, int open)
    {
        for (var i = open + 1; i < s.Length; i++)
        {
            if (s[i] == '\\')
            {
                i++;
                continue;
            }
            if (s[i] == '"')
            {
                return i;
            }
        }
        return -1;
    }

    private static bool Fail(string expression, out string error)
    {
        error = $"cannot parse expression [{expression}]: syntax error";
        return false;
    }
}

using System.Text;

namespace Orleans.Loki.LogQL.Log;

/// <summary>Loki's pattern language: literals and <c>&lt;name&gt;</c> / <c>&lt;_&gt;</c> captures.</summary>
internal sealed class PatternMatcher
{
    private readonly Part[] _parts;

    private readonly record struct Part(byte[]? Literal, string? Capture)
    {
        public bool IsCapture => Literal is null;

        public bool IsNamed => Capture is not null && Capture != "_";
    }

    private PatternMatcher(Part[] parts, string[] names)
    {
        _parts = parts;
        Names = names;
    }

    /// <summary>Named captures in order.</summary>
    public string[] Names { get; }

    public static bool TryParse(string pattern, bool requireCapture, out PatternMatcher? matcher, out string? error)
    {
        matcher = null;
        var parts = new List<Part>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < pattern.Length)
        {
            if (pattern[i] == '<' && TryReadCapture(pattern, i, out var name, out var len))
            {
                if (literal.Length > 0)
                {
                    parts.Add(new Part(Encoding.UTF8.GetBytes(literal.ToString()), null));
                    literal.Clear();
                }
                parts.Add(new Part(null, name));
                i += len;
                continue;
            }
            literal.Append(pattern[i]);
            i++;
        }
        if (literal.Length > 0)
        {
            parts.Add(new Part(Encoding.UTF8.GetBytes(literal.ToString()), null));
        }
        var names = parts.Where(p => p.IsNamed).Select(p => p.Capture!).ToArray();
        if (requireCapture && names.Length == 0)
        {
            error = "at least one capture is required";
            return false;
        }
        for (var k = 0; k + 1 < parts.Count; k++)
        {
            if (parts[k].IsCapture && parts[k + 1].IsCapture)
            {
                error = $"found consecutive capture '<{parts[k].Capture}><{parts[k + 1].Capture}>': invalid expression";
                return false;
            }
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            if (!seen.Add(n))
            {
                error = $"duplicate capture name ({n}): invalid expression";
                return false;
            }
        }
        if (parts.Count == 0)
        {
            error = "at least one capture is required";
            return false;
        }
        error = null;
        matcher = new PatternMatcher(parts.ToArray(), names);
        return true;
    }

    private static bool TryReadCapture(string s, int at, out string name, out int length)
    {
        name = "";
        length = 0;
        var end = s.IndexOf('>', at + 1);
        if (end < 0)
        {
            return false;
        }
        var candidate = s.AsSpan(at + 1, end - at - 1);
        if (candidate.Length == 0 || !(char.IsAsciiLetter(candidate[0]) || candidate[0] == '_'))
        {
            return false;
        }
        foreach (var c in candidate)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        name = candidate.ToString();
        length = end - at + 1;
        return true;
    }

    /// <summary>Extracts captures as Loki does: captures come back in order, and matching stops at the first literal not found.</summary>
    /// <returns>Number of named captures filled into <paramref name="ranges"/> (offset, length into the line).</returns>
    public int Matches(ReadOnlySpan<byte> line, Span<(int Start, int Length)> ranges)
    {
        if (line.Length == 0)
        {
            return 0;
        }
        var count = 0;
        var pos = 0;
        var k = 0;
        if (!_parts[0].IsCapture)
        {
            if (!line.StartsWith(_parts[0].Literal))
            {
                return 0;
            }
            pos = _parts[0].Literal!.Length;
            k = 1;
        }
        while (k < _parts.Length)
        {
            var cap = _parts[k];
            if (k + 1 == _parts.Length)
            {
                if (cap.IsNamed)
                {
                    ranges[count++] = (pos, line.Length - pos);
                }
                return count;
            }
            var lit = _parts[k + 1].Literal!;
            k += 2;
            var i = line[pos..].IndexOf(lit);
            if (i < 0)
            {
                // a capture whose closing literal is missing takes the rest of the line
                if (cap.IsNamed)
                {
                    ranges[count++] = (pos, line.Length - pos);
                }
                return count;
            }
            if (cap.IsNamed)
            {
                ranges[count++] = (pos, i);
            }
            pos += i + lit.Length;
        }
        return count;
    }

    /// <summary>Full-line test used by <c>|&gt;</c>: every literal must be found in order and a trailing literal must end the line.</summary>
    public bool Test(ReadOnlySpan<byte> line)
    {
        if (line.Length == 0)
        {
            return false;
        }
        var k = 0;
        if (!_parts[0].IsCapture)
        {
            if (!line.StartsWith(_parts[0].Literal))
            {
                return false;
            }
            line = line[_parts[0].Literal!.Length..];
            k = 1;
        }
        while (k < _parts.Length)
        {
            if (k + 1 == _parts.Length)
            {
                return true;
            }
            var lit = _parts[k + 1].Literal!;
            k += 2;
            var i = line.IndexOf(lit);
            if (i < 0)
            {
                return false;
            }
            line = line[(i + lit.Length)..];
        }
        return line.Length == 0;
    }

    public IEnumerable<string> Literals()
    {
        foreach (var p in _parts)
        {
            if (!p.IsCapture)
            {
                yield return Encoding.UTF8.GetString(p.Literal!);
            }
        }
    }
}

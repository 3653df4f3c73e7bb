namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// <c>| logfmt [--strict] [--keep-empty] [label="key", ...]</c>.
/// Lenient by default: malformed pairs are skipped. With <c>--strict</c> parsing stops at the first error and
/// sets <c>__error__="LogfmtParserErr"</c>. Keys without a value are dropped unless <c>--keep-empty</c>.
/// </summary>
public sealed class LogfmtParser : IStage
{
    private readonly LabelKeys _keys = new();
    private readonly SlotCache<ParsedKey> _keyCache = new();
    private readonly bool _strict;
    private readonly bool _keepEmpty;
    private readonly (string Label, string Key)[]? _extractions;
    private readonly ParserHints? _hints;

    /// <param name="strict">Stop at the first syntax error and flag the line.</param>
    /// <param name="keepEmpty">Keep keys without values (as empty labels).</param>
    /// <param name="extractions">Only extract these keys under these label names (the parameter form); null for all keys.</param>
    /// <param name="hints">Without <paramref name="extractions"/>: extract only the keys later stages read; null for all.</param>
    public LogfmtParser(bool strict = false, bool keepEmpty = false, IReadOnlyList<KeyValuePair<string, string>>? extractions = null, ParserHints? hints = null)
    {
        _hints = extractions is null ? hints : null;
        _strict = strict;
        _keepEmpty = keepEmpty;
        if (extractions is not null)
        {
            _extractions = new (string, string)[extractions.Count];
            for (var i = 0; i < extractions.Count; i++)
            {
                var (label, key) = (extractions[i].Key, extractions[i].Value);
                if (!LabelKeys.IsValidLabelName(label))
                {
                    throw new ArgumentException($"invalid extracted label name '{label}'", nameof(extractions));
                }
                _extractions[i] = (label, key);
            }
        }
    }

    public bool Process(long timestampNs, ref ReadOnlySpan<byte> line, LabelsBuilder labels)
    {
        if (_extractions is not null)
        {
            foreach (var (label, _) in _extractions)
            {
                if (!labels.StreamHas(label) && !labels.TryGet(label, out _))
                {
                    labels.Set(LabelCategory.Parsed, label, "");
                }
            }
        }
        _keys.BeginLine(labels);
        var dec = new LogfmtDecoder(line);
        var slot = -1;
        while (!dec.EndOfLine)
        {
            if (!dec.ScanKeyValue())
            {
                if (_strict)
                {
                    break;
                }
                continue;
            }
            slot++;
            if (_hints is not null && _hints.RequiresPlain(dec.Key) == false)
            {
                // Nobody reads this key: skip it before any string is made.
                continue;
            }
            var parsed = _keyCache.TryGet(slot, dec.Key);
            if (parsed is null)
            {
                parsed = _keys.Sanitize(dec.Key);
                _keyCache.Set(slot, dec.Key, parsed);
            }
            var sanitized = parsed.Name;
            if (sanitized.Length == 0 || (_hints is not null && !_hints.Requires(sanitized)))
            {
                continue;
            }
            if (dec.RawValue.Length == 0 && !_keepEmpty && _extractions is null)
            {
                continue;
            }
            if (_extractions is null)
            {
                var key = _keys.Resolve(labels, parsed);
                if (key is not null)
                {
                    AddValue(labels, key, ref dec);
                }
                continue;
            }
            foreach (var (label, wanted) in _extractions)
            {
                if (wanted != sanitized)
                {
                    continue;
                }
                var target = labels.StreamHas(label) ? label + PipelineErrors.DuplicateSuffix : label;
                labels.Set(LabelCategory.Parsed, target, CleanValue(dec.ValueString()));
            }
        }
        if (_strict && dec.Error is not null)
        {
            labels.SetError(PipelineErrors.LogfmtParser, dec.Error);
        }
        return true;
    }

    // Plain values (quoted ones without escapes included: the decoder hands over their inner bytes) go in as bytes;
    // the string is made only if a later stage or the result reads it, with the same U+FFFD rule as CleanValue.
    private static void AddValue(LabelsBuilder labels, string key, ref LogfmtDecoder dec)
    {
        if (dec.ValueNeedsUnquote)
        {
            labels.AddParsed(key, CleanValue(dec.ValueString()));
            return;
        }
        labels.AddParsedUtf8(key, dec.RawValue);
    }

    // The replacement rune is rejected by Prometheus label validation, so Loki drops such values.
    private static string CleanValue(string v) => v.Contains('\uFFFD') ? "" : v;
}

using System.Text;

namespace Orleans.Loki.Push;

/// <summary>Result of validating a push: accepted streams, rejected data by reason and the 400 body.</summary>
public sealed class ValidatedPush
{
    /// <summary>
    /// Distinct messages kept for the error body. Loki renders every distinct message; a push of many
    /// entries with distinct timestamps would make that body megabytes long, so the rest are only counted.
    /// </summary>
    internal const int MaxDistinctErrors = 100;

    /// <summary>Bound on <see cref="Errors"/>; the counts in <see cref="Discarded"/> stay exact.</summary>
    internal const int MaxListedErrors = 1000;

    private readonly Dictionary<string, int> _errorCounts = new(StringComparer.Ordinal);
    private readonly List<string> _distinct = [];
    private long _omittedErrors;

    /// <summary>Accepted streams, one per canonical label set (input streams with equal label sets are merged).</summary>
    public List<ValidStream> Streams { get; } = [];

    /// <summary>One Loki-formatted message per rejected stream or entry, in order (bounded by <see cref="MaxListedErrors"/>).</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Rejected lines and bytes (line plus structured metadata) by Loki's discard reason.</summary>
    public Dictionary<string, (long Lines, long Bytes)> Discarded { get; } = new(StringComparer.Ordinal);

    public long AcceptedLines { get; internal set; }

    /// <summary>Accepted bytes: lines plus their structured metadata as sent.</summary>
    public long AcceptedBytes { get; internal set; }

    /// <summary>
    /// Loki's 400 body when anything was rejected, else null: the distinct messages in first-seen order
    /// joined by "; ", each prefixed "N errors like: " when there is more than one kind or occurrence.
    /// </summary>
    public string? ErrorBody
    {
        get
        {
            if (_distinct.Count == 0)
            {
                return null;
            }

            var prefix = _distinct.Count > 1 || _errorCounts[_distinct[0]] > 1;
            var builder = new StringBuilder();
            foreach (var message in _distinct)
            {
                if (builder.Length > 0)
                {
                    builder.Append("; ");
                }

                if (prefix)
                {
                    builder.Append(_errorCounts[message]).Append(" errors like: ");
                }

                builder.Append(message);
            }

            if (_omittedErrors > 0)
            {
                builder.Append("; and ").Append(_omittedErrors).Append(" more errors");
            }

            return builder.ToString();
        }
    }

    internal void Reject(string reason, string message, long lines, long bytes)
    {
        Discarded.TryGetValue(reason, out var current);
        Discarded[reason] = (current.Lines + lines, current.Bytes + bytes);
        if (_errorCounts.TryGetValue(message, out var count))
        {
            _errorCounts[message] = count + 1;
        }
        else if (_distinct.Count < MaxDistinctErrors)
        {
            _errorCounts[message] = 1;
            _distinct.Add(message);
        }
        else
        {
            _omittedErrors++;
            return;
        }

        if (Errors.Count < MaxListedErrors)
        {
            Errors.Add(message);
        }
    }
}

namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// One sanitised label name a parser met, with what it resolves to for a stream and whether this line already has it.
/// </summary>
/// <remarks>
/// Parsers meet the same few names on every line. Keeping per-name state here replaces, per key and line, a search
/// of the stream labels (for the <c>_extracted</c> suffix) and a search of the line's labels (first value wins)
/// with two field reads. Owned by one <see cref="LabelKeys"/>, one thread.
/// </remarks>
internal sealed class ParsedKey
{
    private LabelsBuilder? _resolvedFor;
    private ParsedKey? _resolved;

    public ParsedKey(string name, bool shared)
    {
        Name = name;
        Shared = shared;
        Special = PipelineErrors.IsSpecial(name);
    }

    /// <summary>The sanitised name; "" when nothing was left.</summary>
    public string Name { get; }

    /// <summary>True when this is the only instance for <see cref="Name"/> in its <see cref="LabelKeys"/>, so stamps on it are exact.</summary>
    public bool Shared { get; }

    /// <summary>An error label name: setting it replaces the error, so "first value wins" does not apply.</summary>
    public bool Special { get; }

    /// <summary>The line (per <see cref="LabelKeys"/>) in which this name was last added.</summary>
    public int Stamp { get; set; }

    /// <summary>The key this name is added under in a stream of <paramref name="labels"/>, remembered for the last builder.</summary>
    public ParsedKey ResolveFor(LabelsBuilder labels, LabelKeys keys)
    {
        if (!ReferenceEquals(_resolvedFor, labels))
        {
            _resolved = labels.StreamHas(Name) ? keys.Named(Name + PipelineErrors.DuplicateSuffix) : this;
            _resolvedFor = labels;
        }
        // Structured metadata is per line: a parsed name that collides with it goes to name_extracted too
        // (Loki's base-name precedence is stream > metadata > parsed).
        if (ReferenceEquals(_resolved, this) && labels.MetadataHas(Name))
        {
            return keys.Named(Name + PipelineErrors.DuplicateSuffix);
        }
        return _resolved!;
    }
}

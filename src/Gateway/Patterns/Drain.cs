namespace Orleans.Loki.Gateway.Patterns;

/// <summary>
/// Drain log clustering (He et al., "Drain: An Online Log Parsing Approach with Fixed Depth Tree", ICWS 2017), as Loki's
/// pattern ingester uses it. Lines are first grouped by shape (token count, delimiters and spacing), then walk a tree
/// keyed by their first <see cref="DrainOptions.Depth"/> words (words with digits take the placeholder branch, and a
/// node with <see cref="DrainOptions.MaxChildren"/> children sends new words there too); at the leaf the line joins the
/// most similar cluster when at least <see cref="DrainOptions.SimilarityThreshold"/> of its words equal the cluster's
/// template, turning the differing words into placeholders, or starts a new cluster.
/// </summary>
internal sealed class Drain(DrainOptions options)
{
    private readonly Dictionary<string, Node> _roots = new(StringComparer.Ordinal);
    private readonly List<PatternCluster> _clusters = [];

    public IReadOnlyList<PatternCluster> Clusters => _clusters;

    /// <summary>Adds a line; returns its cluster, or null when a new cluster would exceed <see cref="DrainOptions.MaxClusters"/>.</summary>
    public PatternCluster? Train(string line, long timestampNs)
    {
        var tokens = LineTokenizer.Tokenize(line);
        var shape = Shape(tokens);
        if (!_roots.TryGetValue(shape, out var root))
        {
            root = new Node();
            _roots.Add(shape, root);
        }
        var leaf = Find(root, tokens);
        var cluster = leaf is null ? null : BestMatch(leaf, tokens);
        if (cluster is not null)
        {
            cluster.Merge(tokens);
        }
        else
        {
            if (_clusters.Count >= options.MaxClusters)
            {
                return null;
            }
            cluster = new PatternCluster([.. tokens]);
            _clusters.Add(cluster);
            Insert(root, cluster);
        }
        cluster.Timestamps.Add(timestampNs);
        return cluster;
    }

    /// <summary>Kinds of tokens, delimiters and spacing: lines of different shapes never share a pattern.</summary>
    private static string Shape(List<PatternToken> tokens)
    {
        var chars = new char[tokens.Count * 2];
        var n = 0;
        foreach (var t in tokens)
        {
            if (t.SpaceBefore)
            {
                chars[n++] = ' ';
            }
            chars[n++] = t.IsDelimiter ? t.Text[0] : 'w';
        }
        return new string(chars, 0, n);
    }

    private Node? Find(Node root, List<PatternToken> tokens)
    {
        var node = root;
        var depth = 0;
        foreach (var token in tokens)
        {
            if (depth >= options.Depth)
            {
                break;
            }
            if (token.IsDelimiter)
            {
                continue;
            }
            if (!node.Children.TryGetValue(token.Text, out var next) && !node.Children.TryGetValue(PatternToken.Placeholder, out next))
            {
                return null;
            }
            node = next;
            depth++;
        }
        return node;
    }

    private void Insert(Node root, PatternCluster cluster)
    {
        var node = root;
        var depth = 0;
        foreach (var token in cluster.Tokens)
        {
            if (depth >= options.Depth)
            {
                break;
            }
            if (token.IsDelimiter)
            {
                continue;
            }
            var key = token.IsPlaceholder || HasDigit(token.Text) ? PatternToken.Placeholder : token.Text;
            if (!node.Children.TryGetValue(key, out var next))
            {
                if (node.Children.Count >= options.MaxChildren)
                {
                    key = PatternToken.Placeholder;
                }
                if (!node.Children.TryGetValue(key, out next))
                {
                    next = new Node();
                    node.Children.Add(key, next);
                }
            }
            node = next;
            depth++;
        }
        node.Clusters.Add(cluster);
    }

    private PatternCluster? BestMatch(Node leaf, List<PatternToken> tokens)
    {
        PatternCluster? best = null;
        var bestSimilarity = -1.0;
        var bestParams = -1;
        foreach (var cluster in leaf.Clusters)
        {
            var (similarity, parameters) = Similarity(cluster.Tokens, tokens);
            if (similarity > bestSimilarity || (similarity == bestSimilarity && parameters > bestParams))
            {
                best = cluster;
                bestSimilarity = similarity;
                bestParams = parameters;
            }
        }
        return bestSimilarity >= options.SimilarityThreshold ? best : null;
    }

    /// <summary>
    /// Share of the line's content words equal to the template's (placeholders count as unequal), and the placeholder
    /// count. Content words leave out what is structure or almost surely variable: keys (a word followed by <c>=</c> or
    /// <c>:</c>, optionally after a closing quote) and words with digits. Otherwise every <c>key=value</c> line would look
    /// alike and messages would merge; and lines differing only in numbers would never reach the threshold.
    /// </summary>
    private static (double Similarity, int Parameters) Similarity(PatternToken[] template, List<PatternToken> tokens)
    {
        int words = 0, equal = 0, parameters = 0;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i].IsPlaceholder)
            {
                parameters++;
            }
            if (tokens[i].IsDelimiter || IsKey(tokens, i) || HasDigit(tokens[i].Text))
            {
                continue;
            }
            words++;
            if (!template[i].IsPlaceholder && template[i].Text == tokens[i].Text)
            {
                equal++;
            }
        }
        return (words == 0 ? 1 : (double)equal / words, parameters);
    }

    private static bool IsKey(List<PatternToken> tokens, int i)
    {
        var j = i + 1;
        if (j < tokens.Count && tokens[j].IsDelimiter && tokens[j].Text == "\"" && !tokens[j].SpaceBefore)
        {
            j++;
        }
        return j < tokens.Count && tokens[j].IsDelimiter && tokens[j].Text is "=" or ":" && !tokens[j].SpaceBefore;
    }

    private static bool HasDigit(string s)
    {
        foreach (var c in s)
        {
            if (char.IsDigit(c))
            {
                return true;
            }
        }
        return false;
    }

    private sealed class Node
    {
        public Dictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);
        public List<PatternCluster> Clusters { get; } = [];
    }
}

/// <summary>Drain's parameters.</summary>
internal sealed record DrainOptions
{
    /// <summary>
    /// Words of a line that select its leaf in the tree. One: lines are already grouped by shape and similarity ignores
    /// delimiters, and a deeper tree would keep <c>GET /a</c> and <c>GET /b</c> apart forever (no digits, so no
    /// placeholder branch).
    /// </summary>
    public int Depth { get; init; } = 1;

    /// <summary>Share of equal words needed to join a cluster.</summary>
    public double SimilarityThreshold { get; init; } = 0.4;

    /// <summary>Children per tree node before new words share the placeholder branch.</summary>
    public int MaxChildren { get; init; } = 100;

    /// <summary>Clusters kept; lines that would start more are not clustered.</summary>
    public int MaxClusters { get; init; } = 1000;
}

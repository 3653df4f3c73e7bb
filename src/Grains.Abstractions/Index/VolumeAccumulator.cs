using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Model;

namespace Orleans.Loki.Grains.Index;

/// <summary>
/// Sums the bytes of series into volume buckets, aggregated as Loki's index does: by the series' labels that were
/// matched (or targeted), or by label name. A caller covering the range in slices passes its slice; buckets outside
/// it stay zero and are not returned.
/// </summary>
public sealed class VolumeAccumulator
{
    private readonly VolumeRequest _request;
    private readonly HashSet<string> _labelsToMatch;
    private readonly long[] _bounds;
    private readonly long _sliceFrom;
    private readonly long _sliceThrough;
    private readonly int _firstBucket;
    private readonly int _bucketCount;
    private readonly Dictionary<string, long[]> _volumes = new(StringComparer.Ordinal);
    private readonly long[] _scratch;

    public VolumeAccumulator(VolumeRequest request, long sliceFromNs, long sliceThroughNs)
    {
        _request = request;
        _labelsToMatch = new HashSet<string>(request.LabelsToMatch, StringComparer.Ordinal);
        _bounds = [.. request.BucketBounds];
        _sliceFrom = Math.Max(sliceFromNs, _bounds[0]);
        _sliceThrough = Math.Min(sliceThroughNs, _bounds[^1]);
        if (_sliceThrough > _sliceFrom)
        {
            _firstBucket = BucketOf(_sliceFrom);
            _bucketCount = BucketOf(_sliceThrough - 1) - _firstBucket + 1;
        }
        _scratch = new long[_bucketCount];
    }

    /// <summary>True when more distinct series (or names) than allowed were seen; adding stops then.</summary>
    public bool MaxSeriesHit { get; private set; }

    /// <summary>Adds the chunks of one series with its (sorted) labels.</summary>
    public void Add(KeyValuePair<string, string>[] labels, IEnumerable<ChunkRef> chunks)
    {
        if (MaxSeriesHit || _bucketCount == 0)
        {
            return;
        }
        Array.Clear(_scratch);
        var any = false;
        foreach (var chunk in chunks)
        {
            var lo = Math.Max(chunk.FromNs, _sliceFrom);
            var hi = Math.Min(chunk.ThroughNs, _sliceThrough);
            if (hi <= lo)
            {
                continue;
            }
            any = true;
            for (var b = BucketOf(lo); b < _bounds.Length - 1 && _bounds[b] < hi; b++)
            {
                var fraction = ChunkShare.Fraction(chunk, Math.Max(lo, _bounds[b]), Math.Min(hi, _bounds[b + 1]));
                _scratch[b - _firstBucket] += ChunkShare.Bytes(chunk, fraction);
            }
        }
        if (!any)
        {
            return;
        }
        if (_request.AggregateBySeries)
        {
            var kept = new List<KeyValuePair<string, string>>(labels.Length);
            foreach (var pair in labels)
            {
                if (_request.IncludeAll || _labelsToMatch.Contains(pair.Key))
                {
                    kept.Add(pair);
                }
            }
            AddTo(LabelSet.Format([.. kept]));
            return;
        }
        foreach (var pair in labels)
        {
            if (!_request.TargetsGiven || _labelsToMatch.Contains(pair.Key))
            {
                AddTo(pair.Key);
            }
        }
    }

    public VolumeResult Result()
    {
        var series = new List<VolumeSeries>(_volumes.Count);
        foreach (var (name, bytes) in _volumes)
        {
            series.Add(new VolumeSeries(name, _firstBucket, bytes));
        }
        return new VolumeResult(series, MaxSeriesHit);
    }

    private void AddTo(string name)
    {
        if (!_volumes.TryGetValue(name, out var target))
        {
            if (_volumes.Count >= _request.MaxSeries)
            {
                MaxSeriesHit = true;
                return;
            }
            target = new long[_bucketCount];
            _volumes.Add(name, target);
        }
        for (var i = 0; i < target.Length; i++)
        {
            target[i] += _scratch[i];
        }
    }

    /// <summary>Index of the bucket holding <paramref name="ns"/> (which lies inside the bounds).</summary>
    private int BucketOf(long ns)
    {
        var i = Array.BinarySearch(_bounds, ns);
        return Math.Min(i >= 0 ? i : ~i - 1, _bounds.Length - 2);
    }
}

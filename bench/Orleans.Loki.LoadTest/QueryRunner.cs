using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Orleans.Loki.Bench.Generation;

namespace Orleans.Loki.LoadTest;

/// <summary>Runs the fixed query set against the server's Loki query API.</summary>
internal static class QueryRunner
{
    public static async Task<List<QueryOutcome>> RunAsync(HttpClient http, string baseUrl, Corpus corpus, int runs)
    {
        var outcomes = new List<QueryOutcome>();
        // Instant queries are evaluated just after the last entry; [1h] covers the whole corpus span.
        var instant = corpus.EndNs + 1_000_000_000;
        var start = corpus.StartNs - 60_000_000_000;
        var end = corpus.EndNs + 60_000_000_000;
        foreach (var spec in QuerySpec.FixedSet)
        {
            var scanned = corpus.Entries.Where(e => spec.Scans is null || corpus.Streams[e.Stream].Format == spec.Scans).Sum(e => (long)e.Length);
            var url = spec.Kind switch
            {
                QueryKind.InstantCount => $"{baseUrl}/loki/api/v1/query?query={Uri.EscapeDataString(spec.LogQL)}&time={instant}",
                QueryKind.Range => $"{baseUrl}/loki/api/v1/query_range?query={Uri.EscapeDataString(spec.LogQL)}&start={start}&end={end}&step={spec.StepSeconds}",
                _ => $"{baseUrl}/loki/api/v1/query_range?query={Uri.EscapeDataString(spec.LogQL)}&start={start}&end={end}&limit=1000&direction=backward",
            };

            var timings = new List<double>();
            var status = 0;
            var message = "";
            long? count = null;
            for (var run = 0; run < runs; run++)
            {
                var clock = Stopwatch.StartNew();
                using var response = await http.GetAsync(new Uri(url)).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                var elapsed = clock.Elapsed.TotalSeconds;
                status = (int)response.StatusCode;
                if (status != 200)
                {
                    message = IngestRunner.Truncate(body);
                    break;
                }

                timings.Add(elapsed);
                (message, count) = Describe(spec, body);
            }

            var outcome = new QueryOutcome(spec, timings.Count > 0 ? Stats.Median(timings) : null, status, message, count, scanned);
            outcomes.Add(outcome);
            Console.WriteLine($"  query {spec.Name,-22} {(outcome.MedianSeconds is { } s ? $"{s * 1000,8:0.0} ms" : $"HTTP {status}")}  {message}");
        }

        return outcomes;
    }

    /// <summary>Summarizes a 200 answer: the number for counting queries, series or line counts otherwise.</summary>
    private static (string Message, long? Count) Describe(QuerySpec spec, string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var data = json.RootElement.GetProperty("data");
            var result = data.GetProperty("result");
            switch (spec.Kind)
            {
                case QueryKind.InstantCount:
                    if (result.GetArrayLength() == 0)
                    {
                        return ("empty result", 0);
                    }

                    var value = result[0].GetProperty("value")[1].GetString();
                    return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                        ? ($"= {number.ToString(CultureInfo.InvariantCulture)}", (long)number)
                        : ($"unparsable value {value}", null);
                case QueryKind.Range:
                    return ($"{result.GetArrayLength()} series", null);
                default:
                    var lines = result.EnumerateArray().Sum(s => s.GetProperty("values").GetArrayLength());
                    return ($"{lines} lines in {result.GetArrayLength()} streams", lines);
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return ($"unexpected answer: {IngestRunner.Truncate(body)}", null);
        }
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Orleans.Loki.Gateway.Limits;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Gateway.Query;
using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.Gateway.Export;

/// <summary>
/// Streams every entry of a log query over <c>[start, end)</c> in direction (ties: labels, then line), with no entry
/// cap: the range is read page by page through the same querier path as <c>query_range</c> (same tenancy, multi-tenant
/// <c>a|b</c>, pipeline), each page at most <see cref="PageEntries"/> entries, so memory stays constant whatever the
/// size of the export. The response is chunked and written through the response pipe: a slow client slows the
/// reading down (backpressure), and a client that goes away cancels it. Bounded by <c>max_query_length</c> and the
/// tenant's <c>max_export_bytes</c>.
/// </summary>
public sealed class ExportService(GatewayOptions options, ITenantLimits limits, GrainDataSource data, TimeProvider time)
{
    /// <summary>Entries per page read from the queriers: bounds the memory of one export.</summary>
    internal static int PageEntries { get; set; } = 20_000;

    /// <summary>Bytes buffered before the response pipe is flushed (and backpressure applies).</summary>
    private const int FlushBytes = 64 * 1024;

    public async Task ExportAsync(HttpContext ctx)
    {
        var request = await ReadRequest.ReadAsync(ctx).ConfigureAwait(false);
        if (!request.TryTenants(options, out var problem) || !request.TryRange(limits, LokiTime.NowNs(time), out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        if (!TryParse(request, out var selector, out var direction, out var format, out problem))
        {
            await problem!.ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        var maxBytes = MaxExportBytes(request.Tenants);
        var metrics = ExportMetrics.For(request.Tenants);
        // ReadRequest makes the end inclusive; the export reads [start, end) as query_range does.
        var startNs = request.StartNs;
        var endNs = request.EndNs - 1;
        var ct = ctx.RequestAborted;
        Func<long, long, int, Task<IPage>> reader;
        if (request.Tenants.Length == 1 && !selector.Matchers.Any(m => m.Name == MultiTenant.TenantLabel))
        {
            // One tenant: the queriers return lines as bytes, merged here without a string per line.
            var tenant = request.Tenants[0];
            var matchers = GrainLogQuerier.ToSpecs(selector.Matchers);
            var text = selector.ToString();
            reader = (from, through, limit) => ReadBytesPageAsync(tenant, matchers, text, from, through, direction, limit, ct);
        }
        else
        {
            var querier = new GrainLogQuerier(data, request.Tenants);
            reader = async (from, through, limit) => await ReadPageAsync(querier, selector, from, through, direction, limit, ct).ConfigureAwait(false);
        }
        var read = reader;
        reader = async (from, through, limit) =>
        {
            var page = await read(from, through, limit).ConfigureAwait(false);
            metrics.Pages.Inc();
            return page;
        };

        IPage page;
        try
        {
            // Invalid stages (regexes, templates) fail here, as the engine's 400, before any grain call.
            _ = PipelineBuilder.Build(selector);
            // The first page is read before the status is sent, so that pipeline errors still get a 400.
            page = await reader(startNs, endNs, PageEntries).ConfigureAwait(false);
        }
        catch (QueryException e)
        {
            await ReadRequest.BadRequest(e.Message).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            ctx.Response.StatusCode = 499;
            return;
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = format == ExportFormat.Ndjson ? "application/x-ndjson; charset=utf-8" : "text/plain; charset=utf-8";
        ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"export.{(format == ExportFormat.Ndjson ? "ndjson" : "log")}\"";
        var writer = new EntryWriter(ctx.Response.BodyWriter, format, metrics);
        var pageSize = PageEntries;
        // What is not written yet, and what the current page read (all of it, or one instant at its edge).
        var remaining = (Start: startNs, End: endNs);
        metrics.Active.Inc();
        try
        {
            while (true)
            {
                var (emit, next, rest) = Cut(page, pageSize, direction, remaining, page.Read);
                if (emit == 0 && next is { } same)
                {
                    // More than a page of entries share one timestamp: read that instant with a larger page.
                    pageSize *= 2;
                    page = await reader(same.Start, same.End, pageSize).ConfigureAwait(false);
                    continue;
                }
                remaining = rest;
                // The next page is read while this one is written.
                var reading = next is { } range ? reader(range.Start, range.End, pageSize) : null;
                for (var i = 0; i < emit; i++)
                {
                    if (maxBytes > 0 && writer.Written + page.Prepare(i, writer) > maxBytes)
                    {
                        if (reading is not null)
                        {
                            await DrainAsync(reading).ConfigureAwait(false);
                        }
                        await StopAtLimitAsync(ctx, writer, format, maxBytes).ConfigureAwait(false);
                        return;
                    }
                    if (maxBytes <= 0)
                    {
                        page.Prepare(i, writer);
                    }
                    writer.Commit();
                    if (writer.Unflushed >= FlushBytes)
                    {
                        await writer.FlushAsync(ct).ConfigureAwait(false);
                    }
                }
                if (reading is null)
                {
                    break;
                }
                page = await reading.ConfigureAwait(false);
            }
            await writer.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested || writer.ClientGone)
        {
            // The client went away: nothing more to read or write (the page being read was cancelled with it).
            metrics.Cancelled.Inc();
        }
        finally
        {
            metrics.Active.Dec();
        }
    }

    /// <summary>
    /// Given a sorted page read over <paramref name="read"/> (the whole <paramref name="remaining"/> range, or one
    /// instant at its edge): how many rows can be written, the range to read next (null: done) and what remains
    /// unwritten after them. A full page may end in the middle of a timestamp: its last timestamp is read again.
    /// </summary>
    internal static (int Emit, (long Start, long End)? Next, (long Start, long End) Remaining) Cut(
        IPage page, int pageSize, Direction direction, (long Start, long End) remaining, (long Start, long End) read)
    {
        var forward = direction == Direction.Forward;
        if (page.Count < pageSize)
        {
            if (read == remaining)
            {
                return (page.Count, null, remaining);
            }
            // One instant complete: go on with the rest of the range.
            var rest = forward ? (read.End, remaining.End) : (remaining.Start, read.Start);
            return (page.Count, rest.Item1 < rest.Item2 ? rest : null, rest);
        }
        var last = page.TimestampAt(page.Count - 1);
        var emit = page.Count;
        while (emit > 0 && page.TimestampAt(emit - 1) == last)
        {
            emit--;
        }
        if (emit == 0)
        {
            // The whole page is one timestamp: that instant again, with a larger page.
            return (0, (last, last + 1), remaining);
        }
        var after = forward ? (last, remaining.End) : (remaining.Start, last + 1);
        return (emit, after, after);
    }

    private async Task<IPage> ReadBytesPageAsync(string tenant, List<MatcherSpec> matchers, string query,
        long from, long through, Direction direction, int limit, CancellationToken ct)
    {
        var series = await data.LookupAsync(tenant, matchers, from, through, ct).ConfigureAwait(false);
        // A querier reads every entry of the range it is given: give it a window the index says holds about half a
        // page, so that each page reads about what it writes. Unflushed data is not in the index; a page that fills
        // up anyway is cut at its last timestamp like any other.
        var (windowStart, windowEnd) = Window(series, from, through, direction, Math.Max(1, limit / 2));
        var pages = await data.ExportLogsAsync(tenant, series, windowStart, windowEnd, query, direction == Direction.Backward, limit, ct).ConfigureAwait(false);
        return new BytesPage(pages, direction == Direction.Backward, limit, (windowStart, windowEnd));
    }

    /// <summary>
    /// The part of <c>[from, through)</c> nearest the start of the direction that holds about <paramref name="entries"/>
    /// flushed entries, taking each chunk's entries as spread evenly over its time range.
    /// </summary>
    internal static (long Start, long End) Window(List<SeriesMatch> series, long from, long through, Direction direction, int entries)
    {
        var chunks = series.SelectMany(s => s.Chunks).Where(c => c.FromNs < through && c.ThroughNs > from && c.Entries > 0).ToList();
        double Estimate(long a, long b)
        {
            var sum = 0.0;
            foreach (var c in chunks)
            {
                var span = Math.Max(1, c.ThroughNs - c.FromNs);
                var overlap = Math.Min(b, c.ThroughNs) - Math.Max(a, c.FromNs);
                if (overlap > 0)
                {
                    sum += (double)c.Entries * overlap / span;
                }
            }
            return sum;
        }
        if (chunks.Count == 0 || Estimate(from, through) <= entries)
        {
            return (from, through);
        }
        long lo = from, hi = through;
        while (hi - lo > 1)
        {
            var mid = lo + ((hi - lo) / 2);
            var estimate = direction == Direction.Forward ? Estimate(from, mid) : Estimate(mid, through);
            if ((estimate < entries) == (direction == Direction.Forward))
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return direction == Direction.Forward ? (from, Math.Max(from + 1, hi)) : (Math.Min(through - 1, lo), through);
    }

    private static async Task<RowPage> ReadPageAsync(GrainLogQuerier querier, LogSelectorExpr selector, long startNs, long endNs, Direction direction, int limit, CancellationToken ct)
    {
        var rows = new List<Row>();
        await foreach (var stream in querier.SelectLogsAsync(new SelectLogParams(selector, startNs, endNs, direction, limit), ct).ConfigureAwait(false))
        {
            // Stream labels only, as categorize-labels gives them: structured metadata and parsed labels are written apart.
            var labels = new LabelsJson(StreamLabels(stream), stream.LabelsString);
            foreach (var entry in stream.Entries)
            {
                rows.Add(new Row(entry.TimestampNs, labels, entry));
            }
        }
        var backward = direction == Direction.Backward;
        rows.Sort((a, b) =>
        {
            var c = a.TimestampNs.CompareTo(b.TimestampNs);
            if (backward)
            {
                c = -c;
            }
            if (c == 0)
            {
                c = string.CompareOrdinal(a.Labels.Text, b.Labels.Text);
            }
            return c != 0 ? c : string.CompareOrdinal(a.Entry.Line, b.Entry.Line);
        });
        if (rows.Count > limit)
        {
            // Each querier shard returns up to the limit: keep the first ones in order.
            rows.RemoveRange(limit, rows.Count - limit);
        }
        return new RowPage(rows, (startNs, endNs));
    }

    private static KeyValuePair<string, string>[] StreamLabels(ResultStream stream)
    {
        // Every entry of a result stream has the same labels, so the first tells which are not stream labels.
        if (stream.Entries.Count == 0 || (stream.Entries[0].StructuredMetadata.Length == 0 && stream.Entries[0].Parsed.Length == 0))
        {
            return stream.Labels;
        }
        var other = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, _) in stream.Entries[0].StructuredMetadata)
        {
            other.Add(k);
        }
        foreach (var (k, _) in stream.Entries[0].Parsed)
        {
            other.Add(k);
        }
        return [.. stream.Labels.Where(l => !other.Contains(l.Key))];
    }

    private static async Task DrainAsync(Task<IPage> reading)
    {
        try
        {
            await reading.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Not needed any more.
        }
    }

    private static async Task StopAtLimitAsync(HttpContext ctx, EntryWriter writer, ExportFormat format, long maxBytes)
    {
        var message = $"export stopped: the response would exceed the tenant's export limit (max_export_bytes: {maxBytes})";
        if (format == ExportFormat.Ndjson)
        {
            writer.WriteError(message);
            await writer.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
            return;
        }
        // Plain lines have no place for an error: the response is cut off, so the client sees an incomplete body rather
        // than a silently truncated one.
        await writer.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        ctx.Abort();
    }

    private long MaxExportBytes(string[] tenants)
    {
        long result = 0;
        foreach (var tenant in tenants)
        {
            var l = limits.Query(tenant).MaxExportBytes;
            if (l > 0 && (result == 0 || l < result))
            {
                result = l;
            }
        }
        return result;
    }

    private static bool TryParse(ReadRequest request, out LogSelectorExpr selector, out Direction direction, out ExportFormat format, out IResult? problem)
    {
        selector = null!;
        direction = Direction.Forward;
        format = ExportFormat.Ndjson;
        problem = null;
        if (!LogQLParser.TryParse(request["query"] ?? "", out var expr, out var error))
        {
            problem = ReadRequest.BadRequest(error.Message);
            return false;
        }
        if (expr is not LogSelectorExpr s)
        {
            problem = ReadRequest.BadRequest(LokiErrors.ExportLogQueriesOnly);
            return false;
        }
        selector = s;
        if (!request.TryDirection(Direction.Forward, out direction, out problem))
        {
            return false;
        }
        switch (request["format"]?.ToLowerInvariant())
        {
            case null or "" or "ndjson" or "jsonl":
                break;
            case "text" or "raw":
                format = ExportFormat.Text;
                break;
            default:
                problem = ReadRequest.BadRequest(LokiErrors.ExportInvalidFormat(request["format"]));
                return false;
        }
        return true;
    }

    /// <summary>A page of entries in export order.</summary>
    internal interface IPage
    {
        /// <summary>The time range this page read (all of what was asked, or a window at its start in direction).</summary>
        (long Start, long End) Read { get; }

        int Count { get; }

        long TimestampAt(int i);

        /// <summary>Encodes entry <paramref name="i"/> into the writer's scratch space; returns its size.</summary>
        long Prepare(int i, EntryWriter writer);
    }

    /// <summary>Entries read through the engine's querier (several tenants).</summary>
    internal sealed class RowPage(List<Row> rows, (long Start, long End) read) : IPage
    {
        public (long Start, long End) Read => read;

        public int Count => rows.Count;

        public long TimestampAt(int i) => rows[i].TimestampNs;

        public long Prepare(int i, EntryWriter writer) => writer.Prepare(rows[i]);
    }

    /// <summary>The queriers' byte pages of one tenant, merged in order (timestamp, labels, line) and cut at the limit.</summary>
    internal sealed class BytesPage : IPage
    {
        private readonly ExportPage[] _pages;
        private readonly int[] _page;
        private readonly int[] _index;
        private readonly byte[]?[][] _labelsJson;
        private readonly byte[]?[][] _tailJson;

        public BytesPage(ExportPage[] pages, bool backward, int limit, (long Start, long End) read)
        {
            Read = read;
            _pages = pages;
            _labelsJson = [.. pages.Select(p => new byte[]?[p.Labels.Length])];
            _tailJson = [.. pages.Select(p => new byte[]?[p.Labels.Length])];
            var total = Math.Min(limit, pages.Sum(p => p.Count));
            _page = new int[total];
            _index = new int[total];
            var cursors = new int[pages.Length];
            // Few shards: a linear pick of the best head is cheaper than a heap.
            for (var n = 0; n < total; n++)
            {
                var best = -1;
                for (var p = 0; p < pages.Length; p++)
                {
                    if (cursors[p] < pages[p].Count && (best < 0 || Compare(pages[p], cursors[p], pages[best], cursors[best], backward) < 0))
                    {
                        best = p;
                    }
                }
                _page[n] = best;
                _index[n] = cursors[best]++;
            }
        }

        public (long Start, long End) Read { get; }

        public int Count => _page.Length;

        public long TimestampAt(int i) => _pages[_page[i]].Timestamps[_index[i]];

        public long Prepare(int i, EntryWriter writer)
        {
            var page = _pages[_page[i]];
            var e = _index[i];
            var id = page.LabelIds[e];
            var labels = _labelsJson[_page[i]][id] ??= LabelsJson.EncodeFlat(page.StreamLabels[id]);
            var tail = _tailJson[_page[i]][id] ??= EntryWriter.EncodeTail(page.StructuredMetadata[id], page.Parsed[id]);
            return writer.Prepare(page.Timestamps[e], labels, page.Data.AsSpan(page.Offsets[e], page.Lengths[e]), tail);
        }

        private static int Compare(ExportPage a, int i, ExportPage b, int j, bool backward)
        {
            var c = a.Timestamps[i].CompareTo(b.Timestamps[j]);
            if (c != 0)
            {
                return backward ? -c : c;
            }
            c = string.CompareOrdinal(a.Labels[a.LabelIds[i]], b.Labels[b.LabelIds[j]]);
            return c != 0 ? c : a.Data.AsSpan(a.Offsets[i], a.Lengths[i]).SequenceCompareTo(b.Data.AsSpan(b.Offsets[j], b.Lengths[j]));
        }
    }

    /// <summary>One entry of a page with its stream's labels.</summary>
    internal sealed record Row(long TimestampNs, LabelsJson Labels, LogEntry Entry);

    /// <summary>A result stream's labels, encoded as a JSON object once per page.</summary>
    internal sealed class LabelsJson(KeyValuePair<string, string>[] labels, string text)
    {
        private byte[]? _json;

        public string Text { get; } = text;

        public byte[] Json => _json ??= Encode(labels);

        internal static byte[] EncodeFlat(string[] flat)
        {
            var pairs = new KeyValuePair<string, string>[flat.Length / 2];
            for (var i = 0; i < pairs.Length; i++)
            {
                pairs[i] = new(flat[2 * i], flat[(2 * i) + 1]);
            }
            return Encode(pairs);
        }

        internal static byte[] Encode(KeyValuePair<string, string>[] pairs)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartObject();
                foreach (var (k, v) in pairs)
                {
                    w.WriteString(k, v);
                }
                w.WriteEndObject();
            }
            return buffer.WrittenSpan.ToArray();
        }
    }

    /// <summary>
    /// Encodes entries into one batch buffer that goes to the response pipe in a single write per flush (a pipe write
    /// per entry costs the server's output lock each time). An entry is prepared at the batch's end, then committed or
    /// dropped by the next prepare.
    /// </summary>
    internal sealed class EntryWriter(PipeWriter pipe, ExportFormat format, ExportMetrics.Tenant? metrics = null)
    {
        private static readonly JsonWriterOptions s_json = new() { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        private readonly Batch _scratch = new(FlushBytes * 2);
        private Utf8JsonWriter? _writer;

        public long Written { get; private set; }

        public long Unflushed { get; private set; }

        /// <summary>The response pipe was completed or cancelled under a flush: the client is gone.</summary>
        public bool ClientGone { get; private set; }

        /// <summary>Encodes <paramref name="row"/> into scratch space and returns its size in the output.</summary>
        public long Prepare(Row row)
        {
            _scratch.Truncate(_scratch.Committed);
            if (format == ExportFormat.Text)
            {
                var line = row.Entry.Line;
                var span = _scratch.GetSpan(Encoding.UTF8.GetMaxByteCount(line.Length) + 1);
                var n = Encoding.UTF8.GetBytes(line, span);
                span[n++] = (byte)'\n';
                _scratch.Advance(n);
                return n;
            }
            Encode(row);
            return _scratch.Prepared;
        }

        /// <summary>
        /// As <see cref="Prepare(Row)"/> for an entry whose line is UTF-8 bytes, with its stream's labels and the rest of
        /// its object (<see cref="EncodeTail"/>) encoded once per page: per entry only the timestamp and the escaped line
        /// are written.
        /// </summary>
        public long Prepare(long ts, byte[] labelsJson, ReadOnlySpan<byte> line, byte[] tail)
        {
            _scratch.Truncate(_scratch.Committed);
            if (format == ExportFormat.Text)
            {
                var span = _scratch.GetSpan(line.Length + 1);
                line.CopyTo(span);
                span[line.Length] = (byte)'\n';
                _scratch.Advance(line.Length + 1);
                return line.Length + 1;
            }
            _scratch.Write("{\"timestamp\":\""u8);
            System.Buffers.Text.Utf8Formatter.TryFormat(ts, _scratch.GetSpan(20), out var digits);
            _scratch.Advance(digits);
            _scratch.Write("\",\"labels\":"u8);
            _scratch.Write(labelsJson);
            _scratch.Write(",\"line\":\""u8);
            // Invalid UTF-8 becomes U+FFFD, as a string of the line would.
            var text = System.Text.Unicode.Utf8.IsValid(line) ? line : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(line));
            while (true)
            {
                var destination = _scratch.GetSpan(Math.Max(16, text.Length + 16));
                var status = s_json.Encoder!.EncodeUtf8(text, destination, out var consumed, out var written);
                _scratch.Advance(written);
                text = text[consumed..];
                if (status == OperationStatus.Done)
                {
                    break;
                }
                // DestinationTooSmall: escapes made the line longer; the next span has room for what is left.
            }
            _scratch.Write("\""u8);
            _scratch.Write(tail);
            return _scratch.Prepared;
        }

        /// <summary>
        /// The end of an entry's object after its line: <c>,"structuredMetadata":{...},"parsed":{...}}</c> (each only when
        /// not empty) and the newline.
        /// </summary>
        internal static byte[] EncodeTail(string[]? metadata, string[]? parsed)
        {
            var buffer = new ArrayBufferWriter<byte>(64);
            using (var w = new Utf8JsonWriter(buffer, s_json))
            {
                // A throwaway object so the writer emits the separators; its opening brace is cut off below.
                w.WriteStartObject();
                WriteFlat(w, "structuredMetadata", metadata);
                WriteFlat(w, "parsed", parsed);
                w.WriteEndObject();
            }
            var body = buffer.WrittenSpan[1..];
            var result = new byte[body.Length + (body.Length > 1 ? 2 : 1)];
            var n = 0;
            if (body.Length > 1)
            {
                result[n++] = (byte)',';
            }
            body.CopyTo(result.AsSpan(n));
            result[^1] = (byte)'\n';
            return result;
        }

        private static void WriteFlat(Utf8JsonWriter w, string name, string[]? flat)
        {
            if (flat is null || flat.Length == 0)
            {
                return;
            }
            w.WritePropertyName(name);
            w.WriteStartObject();
            for (var i = 0; i < flat.Length; i += 2)
            {
                w.WriteString(flat[i], flat[i + 1]);
            }
            w.WriteEndObject();
        }

        /// <summary>Writes the prepared entry.</summary>
        public void Commit() => Count(_scratch.Commit());

        public void WriteError(string message)
        {
            _scratch.Truncate(_scratch.Committed);
            var w = Json();
            w.WriteStartObject();
            w.WriteString("error", message);
            w.WriteEndObject();
            w.Flush();
            _scratch.Write("\n"u8);
            Count(_scratch.Commit());
        }

        public async Task FlushAsync(CancellationToken ct)
        {
            metrics?.Bytes.Inc(Unflushed);
            Unflushed = 0;
            pipe.Write(_scratch.CommittedSpan);
            _scratch.Truncate(0);
            var flush = pipe.FlushAsync(ct);
            FlushResult result;
            if (flush.IsCompleted)
            {
                result = flush.Result;
            }
            else
            {
                // The client has not read what was written: wait for it (backpressure), reading nothing meanwhile.
                metrics?.Waiting.Inc();
                try
                {
                    result = await flush.ConfigureAwait(false);
                }
                finally
                {
                    metrics?.Waiting.Dec();
                }
            }
            if (result.IsCanceled || result.IsCompleted)
            {
                ClientGone = true;
                throw new OperationCanceledException(ct);
            }
        }

        private void Count(int n)
        {
            Written += n;
            Unflushed += n;
        }

        private void Encode(Row row)
        {
            var w = Json();
            w.WriteStartObject();
            w.WriteString("timestamp", row.TimestampNs.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WritePropertyName("labels");
            w.WriteRawValue(row.Labels.Json, skipInputValidation: true);
            w.WriteString("line", row.Entry.Line);
            WritePairs(w, "structuredMetadata", row.Entry.StructuredMetadata);
            WritePairs(w, "parsed", row.Entry.Parsed);
            w.WriteEndObject();
            w.Flush();
            _scratch.Write("\n"u8);
        }

        private Utf8JsonWriter Json()
        {
            if (_writer is null)
            {
                _writer = new Utf8JsonWriter(_scratch, s_json);
            }
            else
            {
                _writer.Reset(_scratch);
            }
            return _writer;
        }

        private static void WritePairs(Utf8JsonWriter w, string name, KeyValuePair<string, string>[] pairs)
        {
            if (pairs.Length == 0)
            {
                return;
            }
            w.WritePropertyName(name);
            w.WriteStartObject();
            foreach (var (k, v) in pairs)
            {
                w.WriteString(k, v);
            }
            w.WriteEndObject();
        }
    }

    /// <summary>A growable byte buffer with a committed prefix and one prepared entry after it.</summary>
    internal sealed class Batch(int capacity) : IBufferWriter<byte>
    {
        private byte[] _buffer = new byte[capacity];
        private int _count;

        /// <summary>Bytes of whole entries.</summary>
        public int Committed { get; private set; }

        /// <summary>Bytes written after <see cref="Committed"/>: the entry being prepared.</summary>
        public int Prepared => _count - Committed;

        public ReadOnlySpan<byte> CommittedSpan => _buffer.AsSpan(0, Committed);

        /// <summary>Makes the prepared entry part of the batch; returns its size.</summary>
        public int Commit()
        {
            var n = Prepared;
            Committed = _count;
            return n;
        }

        /// <summary>Drops everything after <paramref name="length"/> bytes.</summary>
        public void Truncate(int length)
        {
            _count = length;
            Committed = Math.Min(Committed, length);
        }

        public void Advance(int count) => _count += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsMemory(_count);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsSpan(_count);
        }

        private void Ensure(int sizeHint)
        {
            var need = _count + Math.Max(sizeHint, 1);
            if (need > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(need, _buffer.Length * 2));
            }
        }
    }
}

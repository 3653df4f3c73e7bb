using System.Text;
using Microsoft.Extensions.Time.Testing;
using Orleans.Loki.Model;

namespace Orleans.Loki.Push.Tests;

public sealed class ValidatorTests
{
    // 2026-11-26T00:00:00Z: the oldest accepted sample is 2026-11-19T00:00:00Z, the newest 00:10:00Z.
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);
    private static readonly long NowNs = Now.ToUnixTimeMilliseconds() * 1_000_000;

    private readonly PushValidator _validator = new(new FakeTimeProvider(Now));

    private static PushEntry Entry(string line, long? timestamp = null, params KeyValuePair<string, string>[] metadata) =>
        new(timestamp ?? NowNs, Encoding.UTF8.GetBytes(line), metadata.Length == 0 ? null : metadata);

    private static KeyValuePair<string, string> Kv(string key, string value) => new(key, value);

    private static PushStream Stream(string labels, params PushEntry[] entries) => new(labels, [.. entries]);

    private ValidatedPush Validate(ValidationLimits? limits, params PushStream[] streams) =>
        _validator.Validate("tenant", streams, limits ?? new ValidationLimits());

    [Fact]
    public void ValidPush_IsCanonicalisedWithServiceNameAndFingerprint()
    {
        var result = Validate(null, Stream("{level=\"info\",app=\"shop\"}", Entry("hello info"), Entry("again info")));

        var stream = Assert.Single(result.Streams);
        Assert.Equal("{app=\"shop\", level=\"info\", service_name=\"shop\"}", stream.Labels);
        Assert.Equal([new("app", "shop"), new("level", "info"), new("service_name", "shop")], stream.LabelPairs);
        Assert.Equal(LabelSet.Fingerprint(stream.Labels), stream.Fingerprint);
        Assert.Equal(2, result.AcceptedLines);
        Assert.Equal(20, result.AcceptedBytes);
        Assert.Null(result.ErrorBody);
        Assert.Empty(result.Errors);
        Assert.Empty(result.Discarded);
    }

    [Fact]
    public void RepeatedPushes_OfTheSameLabels_GiveTheSameStream_ButNewLimitsAreAppliedAgain()
    {
        const string Labels = "{app=\"shop\", env=\"prod\", team=\"a\"}";
        var generous = new ValidationLimits();
        var first = Assert.Single(Validate(generous, Stream(Labels, Entry("one"))).Streams);
        var second = Assert.Single(Validate(generous, Stream(Labels, Entry("two"))).Streams);

        Assert.Equal(first.Labels, second.Labels);
        Assert.Equal(first.Fingerprint, second.Fingerprint);
        Assert.Equal(first.LabelPairs, second.LabelPairs);
        Assert.Equal(["two"], second.Entries.Select(TestData.Line));

        // A reload gives the tenant a new limits object: the label set that passed before must be checked again.
        var strict = new ValidationLimits { MaxLabelNamesPerSeries = 2 };
        var refused = Validate(strict, Stream(Labels, Entry("three")));
        Assert.Empty(refused.Streams);
        Assert.Contains("max_label_names_per_series", string.Join('\n', refused.Discarded.Keys), StringComparison.Ordinal);

        // And a refused label set is refused again on the next push, with its error text.
        var again = Validate(strict, Stream(Labels, Entry("four")));
        Assert.Empty(again.Streams);
        Assert.NotNull(again.ErrorBody);
        Assert.Single(Validate(generous, Stream(Labels, Entry("five"))).Streams);
    }

    [Fact]
    public void SameLabelSetInAnyOrder_IsMergedIntoOneStream()
    {
        var result = Validate(null, Stream("{b=\"1\",a=\"2\"}", Entry("one")), Stream("{a=\"2\", b=\"1\"}", Entry("two")), Stream("{a=\"3\"}", Entry("three")));

        Assert.Equal(2, result.Streams.Count);
        Assert.Equal(["one", "two"], result.Streams[0].Entries.Select(TestData.Line));
        Assert.Equal("{a=\"2\", b=\"1\", service_name=\"unknown_service\"}", result.Streams[0].Labels);
    }

    [Fact]
    public void EmptyValuedLabels_AreDropped_BeforeCounting()
    {
        var limits = new ValidationLimits { MaxLabelNamesPerSeries = 1 };

        var result = Validate(limits, Stream("{app=\"x\", empty=\"\", other=\"\"}", Entry("l")));

        Assert.Equal("{app=\"x\", service_name=\"x\"}", Assert.Single(result.Streams).Labels);
        Assert.Null(result.ErrorBody);
    }

    [Theory]
    [InlineData("{service=\"a\", app=\"b\"}", "a")]
    [InlineData("{container=\"c\", app=\"b\"}", "b")]
    [InlineData("{k8s_job_name=\"j\"}", "j")]
    [InlineData("{host=\"h\"}", "unknown_service")]
    [InlineData("{app=\"\", job=\"cron\"}", "cron")]
    public void ServiceName_IsDiscoveredFromFirstListedLabel(string labels, string expected)
    {
        var result = Validate(null, Stream(labels, Entry("x")));

        Assert.Contains(new KeyValuePair<string, string>("service_name", expected), Assert.Single(result.Streams).LabelPairs);
    }

    [Fact]
    public void ExistingServiceName_IsKept()
    {
        var result = Validate(null, Stream("{service_name=\"given\", app=\"other\"}", Entry("x")));

        Assert.Equal("{app=\"other\", service_name=\"given\"}", Assert.Single(result.Streams).Labels);
    }

    [Fact]
    public void ServiceNameDiscoveryDisabled_EmptyLabelSetIsMissingLabels()
    {
        var limits = new ValidationLimits { DiscoverServiceName = [] };

        var result = Validate(limits, Stream("{a=\"\"}", Entry("abc")));

        Assert.Empty(result.Streams);
        Assert.Equal("error at least one label pair is required per stream", result.ErrorBody);
        Assert.Equal((1L, 3L), result.Discarded["missing_labels"]);
    }

    [Fact]
    public void InvalidLabels_RejectStream_WithLokiText()
    {
        var result = Validate(null, Stream("{app=\"x\"", Entry("abcd", null, Kv("k", "vv"))), Stream("{ok=\"1\"}", Entry("kept")));

        Assert.Equal("Error parsing labels '{app=\"x\"' with error: 1:9: parse error: unexpected end of input inside braces", result.Errors.Single());
        Assert.Equal((1L, 7L), result.Discarded["invalid_labels"]);
        Assert.Equal("kept", TestData.Line(Assert.Single(Assert.Single(result.Streams).Entries)));
    }

    [Fact]
    public void DuplicateLabelNames_RejectStream()
    {
        var result = Validate(null, Stream("{a=\"1\", a=\"2\"}", Entry("x")));

        Assert.Equal("stream '{a=\"1\", a=\"2\", service_name=\"unknown_service\"}' has duplicate label name: 'a'", result.ErrorBody);
        Assert.Equal((1L, 1L), result.Discarded["duplicate_label_names"]);
    }

    [Fact]
    public void TooManyLabelNames_RejectStream_NotCountingServiceName()
    {
        var limits = new ValidationLimits { MaxLabelNamesPerSeries = 2 };

        var ok = Validate(limits, Stream("{a=\"1\", b=\"2\"}", Entry("x")));
        var rejected = Validate(limits, Stream("{a=\"1\", b=\"2\", c=\"3\"}", Entry("x"), Entry("y")));

        Assert.Single(ok.Streams);
        Assert.Equal("entry for stream '{a=\"1\", b=\"2\", c=\"3\", service_name=\"unknown_service\"}' has 3 label names; limit 2", rejected.ErrorBody);
        Assert.Equal((2L, 2L), rejected.Discarded["max_label_names_per_series"]);
    }

    [Fact]
    public void LabelNameTooLong_RejectsStream()
    {
        var result = Validate(new ValidationLimits { MaxLabelNameLength = 4 }, Stream("{abcde=\"1\"}", Entry("x")));

        // service_name itself is longer than 4 and sorts after abcde, so abcde is reported first.
        Assert.Equal("stream '{abcde=\"1\", service_name=\"unknown_service\"}' has label name too long: 'abcde'", result.ErrorBody);
        Assert.Equal((1L, 1L), result.Discarded["label_name_too_long"]);
    }

    [Fact]
    public void LabelValueTooLong_RejectsStream()
    {
        var result = Validate(new ValidationLimits { MaxLabelValueLength = 3, DiscoverServiceName = [] }, Stream("{a=\"long\"}", Entry("x")));

        Assert.Equal("stream '{a=\"long\"}' has label value too long: 'long'", result.ErrorBody);
        Assert.Equal((1L, 1L), result.Discarded["label_value_too_long"]);
    }

    [Fact]
    public void LineTooLong_RejectsOnlyThatEntry()
    {
        var result = Validate(new ValidationLimits { MaxLineSize = 5 }, Stream("{app=\"a\"}", Entry("123456"), Entry("12345")));

        Assert.Equal("Max entry size '5' bytes exceeded for stream '{app=\"a\", service_name=\"a\"}' while adding an entry with length '6' bytes", result.ErrorBody);
        Assert.Equal((1L, 6L), result.Discarded["line_too_long"]);
        Assert.Equal("12345", TestData.Line(Assert.Single(Assert.Single(result.Streams).Entries)));
    }

    [Fact]
    public void LineTooLong_WithTruncate_IsCutAndAccepted()
    {
        var result = Validate(new ValidationLimits { MaxLineSize = 5, MaxLineSizeTruncate = true }, Stream("{app=\"a\"}", Entry("123456789")));

        Assert.Null(result.ErrorBody);
        Assert.Equal("12345", TestData.Line(Assert.Single(Assert.Single(result.Streams).Entries)));
        Assert.Equal(5, result.AcceptedBytes);
    }

    [Fact]
    public void TooOld_IsRejectedWithRfc3339Times()
    {
        var old = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;

        var result = Validate(null, Stream("{app=\"a\"}", Entry("old", old), Entry("new")));

        Assert.Equal("entry for stream '{app=\"a\", service_name=\"a\"}' has timestamp too old: 2026-11-01T00:00:00Z, oldest acceptable timestamp is: 2026-11-19T00:00:00Z", result.ErrorBody);
        Assert.Equal((1L, 3L), result.Discarded["greater_than_max_sample_age"]);
        Assert.Single(result.Streams[0].Entries);
    }

    [Fact]
    public void TooOld_IsAccepted_WhenRejectOldSamplesIsOff()
    {
        var result = Validate(new ValidationLimits { RejectOldSamples = false }, Stream("{app=\"a\"}", Entry("ancient", 1)));

        Assert.Null(result.ErrorBody);
        Assert.Equal(1, result.AcceptedLines);
    }

    [Fact]
    public void TooFarInFuture_IsRejected()
    {
        var future = NowNs + (11L * 60 * 1_000_000_000);
        var edge = NowNs + (10L * 60 * 1_000_000_000);

        var result = Validate(null, Stream("{app=\"a\"}", Entry("future", future), Entry("edge", edge)));

        Assert.Equal("entry for stream '{app=\"a\", service_name=\"a\"}' has timestamp too new: 2026-11-26T00:11:00Z", result.ErrorBody);
        Assert.Equal((1L, 6L), result.Discarded["too_far_in_future"]);
        Assert.Equal("edge", TestData.Line(Assert.Single(result.Streams[0].Entries)));
    }

    [Fact]
    public void StructuredMetadataTooLarge_IsRejected()
    {
        var result = Validate(new ValidationLimits { MaxStructuredMetadataSize = 4 }, Stream("{app=\"a\"}", Entry("l", null, Kv("ab", "cde"))));

        Assert.Equal("stream '{app=\"a\", service_name=\"a\"}' has structured metadata too large: '5' bytes, limit: '4' bytes. Please see `limits_config.max_structured_metadata_size` or contact your Loki administrator to increase it.", result.ErrorBody);
        Assert.Equal((1L, 6L), result.Discarded["structured_metadata_too_large"]);
    }

    [Fact]
    public void StructuredMetadataTooMany_IsRejected()
    {
        var result = Validate(new ValidationLimits { MaxStructuredMetadataEntriesCount = 1 }, Stream("{app=\"a\"}", Entry("l", null, Kv("a", "1"), Kv("b", "2"))));

        Assert.Equal("stream '{app=\"a\", service_name=\"a\"}' has too many structured metadata labels: '2', limit: '1'. Please see `limits_config.max_structured_metadata_entries_count` or contact your Loki administrator to increase it.", result.ErrorBody);
        Assert.Equal((1L, 5L), result.Discarded["structured_metadata_too_many"]);
    }

    [Fact]
    public void ErrorBody_GroupsRepeatedMessagesLikeLoki()
    {
        var limits = new ValidationLimits { MaxLineSize = 2 };

        var one = Validate(limits, Stream("{app=\"a\"}", Entry("xyz"), Entry("xyz")));
        var two = Validate(limits, Stream("{app=\"a\"}", Entry("xyz"), Entry("xyzw"), Entry("xyz")));

        Assert.Equal("2 errors like: Max entry size '2' bytes exceeded for stream '{app=\"a\", service_name=\"a\"}' while adding an entry with length '3' bytes", one.ErrorBody);
        Assert.Equal(
            "2 errors like: Max entry size '2' bytes exceeded for stream '{app=\"a\", service_name=\"a\"}' while adding an entry with length '3' bytes; "
            + "1 errors like: Max entry size '2' bytes exceeded for stream '{app=\"a\", service_name=\"a\"}' while adding an entry with length '4' bytes",
            two.ErrorBody);
        Assert.Equal(3, two.Errors.Count);
        Assert.Empty(two.Streams);
    }

    [Fact]
    public void ErrorBody_IsBounded_ButDiscardCountsStayExact()
    {
        var entries = Enumerable.Range(0, 500).Select(i => Entry(new string('x', 10 + i))).ToArray();

        var result = Validate(new ValidationLimits { MaxLineSize = 5 }, Stream("{app=\"a\"}", entries));

        Assert.Equal((500L, entries.Sum(e => (long)e.Line.Length)), result.Discarded["line_too_long"]);
        Assert.Equal(ValidatedPush.MaxDistinctErrors, result.Errors.Count);
        Assert.EndsWith("; and 400 more errors", result.ErrorBody, StringComparison.Ordinal);
    }

    [Fact]
    public void StreamsWithoutEntries_AreIgnored()
    {
        var result = Validate(null, Stream("{not valid"));

        Assert.Empty(result.Streams);
        Assert.Null(result.ErrorBody);
    }

    [Fact]
    public void StructuredMetadataNames_AreNormalised()
    {
        var result = Validate(new ValidationLimits { DiscoverLogLevels = false }, Stream("{app=\"a\"}", Entry("l", null, Kv("trace.id", "1"), Kv("9lives", "2"))));

        Assert.Equal([new("trace_id", "1"), new("key_9lives", "2")], result.Streams[0].Entries[0].Metadata!);
    }

    [Fact]
    public void InternalStreams_SkipServiceNameDiscovery()
    {
        var result = Validate(null, Stream("{__aggregated_metric__=\"svc\"}", Entry("x")));

        Assert.Equal("{__aggregated_metric__=\"svc\"}", Assert.Single(result.Streams).Labels);
    }
}

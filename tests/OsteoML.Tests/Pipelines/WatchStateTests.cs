using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Watching;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Pipelines;

/// <summary>
/// The watcher's state folder on its own: what is recorded survives a restart, a torn last line (a kill mid-write) is
/// dropped with a warning and its series done again, a second watcher is refused, another bundle's folder is refused,
/// and <c>--retry-failed</c> makes failed series pending again.
/// </summary>
[TestClass]
public sealed class WatchStateTests
{
    private const string Bundle = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private static WatchRecord Series(string uid, StudyStatus status) =>
        new("1.2.3", uid, status, status == StudyStatus.Ok ? null : "why", 3, Bundle, DateTimeOffset.UtcNow);

    [TestMethod]
    public void Records_survive_a_restart_and_a_torn_last_line_is_dropped_with_a_warning()
    {
        var folder = Path.Combine(TestPaths.NewTempDirectory(), "state");
        using (var state = new WatchState(folder, Bundle))
        {
            state.Record(Series("1.2.3.1", StudyStatus.Ok));
            state.Record(Series("1.2.3.2", StudyStatus.Failed));
            state.CompletePoll(new DateOnly(2026, 12, 5));
            Directory.CreateDirectory(Path.Combine(state.Incoming, "1.2.3.3"));
        }
        File.AppendAllText(Path.Combine(folder, WatchState.RecordFile), "{\"studyInstanceUid\":\"1.2.3\",\"seriesInst");

        using (var state = new WatchState(folder, Bundle))
        {
            Assert.IsTrue(state.IsDone("1.2.3.1"));
            Assert.IsTrue(state.IsDone("1.2.3.2"), "a failure is recorded and not tried again by default");
            Assert.IsFalse(state.IsDone("1.2.3.3"));
            Assert.AreEqual(new DateOnly(2026, 12, 5), state.LastPoll);
            Assert.HasCount(1, state.Warnings);
            StringAssert.Contains(state.Warnings[0], $"{WatchState.RecordFile}:3: torn last line");
            Assert.IsFalse(Directory.Exists(state.Incoming), "a copy left by a killed run is removed");
            Assert.ThrowsExactly<IOException>(() => new WatchState(folder, Bundle), "one watcher per folder");
        }
        Assert.HasCount(2, File.ReadAllLines(Path.Combine(folder, WatchState.RecordFile)), "the torn line was cut out of the file");

        using (var retry = new WatchState(folder, Bundle, retryFailed: true))
        {
            Assert.IsTrue(retry.IsDone("1.2.3.1"));
            Assert.IsFalse(retry.IsDone("1.2.3.2"), "--retry-failed");
            retry.Record(Series("1.2.3.2", StudyStatus.Ok));
        }
        using (var state = new WatchState(folder, Bundle, retryFailed: true))
            Assert.IsTrue(state.IsDone("1.2.3.2"), "the last record of a series is its state");

        var refused = Assert.ThrowsExactly<InvalidDataException>(() => new WatchState(folder, new string('b', 64)));
        StringAssert.Contains(refused.Message, "not this bundle bbbbbbbbbbbb");
    }

    [TestMethod]
    public void A_second_watcher_is_refused_with_the_holder_named()
    {
        var folder = Path.Combine(TestPaths.NewTempDirectory(), "state");
        using var held = new WatchState(folder, Bundle);
        var refused = Assert.ThrowsExactly<IOException>(() => new WatchState(folder, Bundle));
        StringAssert.Contains(refused.Message, "in use by another watch (PID");
        StringAssert.Contains(refused.Message, "use another --state");
    }
}

using System.Net;
using System.Text;
using OsteoML.Dicom.Web;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Watching;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Pipelines;

/// <summary>
/// The watcher when the PACS misbehaves, in-process against a scripted DICOMweb server: a series that cannot be retrieved
/// is tried <see cref="WatchOptions.Attempts"/> times, recorded as failed with the HTTP status, and the poll goes on; only
/// CT series are ever retrieved; a PACS that cannot be searched fails the poll (an IOException for the caller) without
/// recording anything or moving the window.
/// </summary>
public sealed partial class ScreeningCommandTests
{
    private const string WatchedStudy = "1.2.826.0.1.3680043.8.498.1", BrokenSeries = "1.2.826.0.1.3680043.8.498.1.1",
        OurSr = "1.2.826.0.1.3680043.8.498.1.2", LaterCt = "1.2.826.0.1.3680043.8.498.1.3";

    [TestMethod]
    public void Watch_records_a_series_the_PACS_will_not_send_as_failed_after_its_retries_and_goes_on()
    {
        var requests = new List<string>();
        using var handler = new ScriptedDicomWeb(requests, path => path switch
        {
            _ when path.StartsWith("/dicom-web/studies?", StringComparison.Ordinal) =>
                (HttpStatusCode.OK, $$$"""[{"0020000D":{"vr":"UI","Value":["{{{WatchedStudy}}}"]},"00080020":{"vr":"DA","Value":["20261205"]}}]"""),
            _ when path.StartsWith($"/dicom-web/studies/{WatchedStudy}/series?", StringComparison.Ordinal) => (HttpStatusCode.OK, $$$"""
                [{"0020000E":{"vr":"UI","Value":["{{{BrokenSeries}}}"]},"00080060":{"vr":"CS","Value":["CT"]}},
                 {"0020000E":{"vr":"UI","Value":["{{{OurSr}}}"]},"00080060":{"vr":"CS","Value":["SR"]}},
                 {"0020000E":{"vr":"UI","Value":["{{{LaterCt}}}"]},"00080060":{"vr":"CS","Value":["CT"]}}]
                """),
            _ => (HttpStatusCode.ServiceUnavailable, ""),
        });
        var folder = Path.Combine(TestPaths.NewTempDirectory(), "state");
        var bundle = ModelBundle.Load(_model);
        using var screener = new Screener(bundle);
        using var state = new WatchState(folder, screener.Provenance.BundleSha256);
        using var client = new DicomWebClient(new Uri("http://pacs.invalid/dicom-web"), null, handler);
        var failures = new List<string>();
        var options = new WatchOptions { Since = new DateOnly(2026, 12, 1), RetryDelay = TimeSpan.Zero, Today = () => new DateOnly(2026, 12, 5) };
        var watcher = new StudyWatcher(screener, client, client.BaseUri, state, options, _ => { }, failures.Add);

        var poll = watcher.Poll(CancellationToken.None);

        Assert.AreEqual(2, poll.Failed, "both CT series: the PACS answers 503 to every retrieve\n" + string.Join("\n", failures) + "\n" + string.Join("\n", requests));
        Assert.AreEqual(0, poll.Ok + poll.Refused);
        Assert.AreEqual(3, requests.Count(r => r.EndsWith("/series/" + BrokenSeries, StringComparison.Ordinal)), "three tries");
        Assert.IsFalse(requests.Any(r => r.Contains(OurSr, StringComparison.Ordinal)), "an SR series is never retrieved");
        Assert.IsTrue(state.IsDone(BrokenSeries) && state.IsDone(LaterCt), "the poll went on past the first failure");
        Assert.IsTrue(failures.Any(f => f.StartsWith($"series {BrokenSeries} of study {WatchedStudy}: failed: WADO-RS", StringComparison.Ordinal) && f.Contains("HTTP 503", StringComparison.Ordinal)),
            string.Join("\n", failures));
        Assert.AreEqual(new DateOnly(2026, 12, 5), state.LastPoll);
        Assert.IsFalse(Directory.Exists(Path.Combine(state.Incoming, BrokenSeries)), "nothing left in incoming/");

        // A PACS that cannot even be searched: the poll fails as a whole, nothing recorded, the window not moved.
        requests.Clear();
        handler.Answer = _ => (HttpStatusCode.ServiceUnavailable, "");
        var recorded = state.Recorded;
        var down = new StudyWatcher(screener, client, client.BaseUri, state, options with { Today = () => new DateOnly(2026, 12, 6) }, _ => { }, failures.Add);
        Assert.ThrowsExactly<IOException>(() => down.Poll(CancellationToken.None));
        Assert.HasCount(3, requests);
        Assert.AreEqual(recorded, state.Recorded);
        Assert.AreEqual(new DateOnly(2026, 12, 5), state.LastPoll);

        // A study whose series cannot be listed: recorded against the study, the poll goes on.
        const string Unlisted = "1.2.826.0.1.3680043.8.498.2";
        handler.Answer = path => path.StartsWith("/dicom-web/studies?", StringComparison.Ordinal)
            ? (HttpStatusCode.OK, $$$"""[{"0020000D":{"vr":"UI","Value":["{{{Unlisted}}}"]}}]""")
            : (HttpStatusCode.ServiceUnavailable, "");
        Assert.AreEqual(1, down.Poll(CancellationToken.None).Failed);
        Assert.IsTrue(state.IsDone(WatchRecord.KeyOf(Unlisted, "")));
        Assert.AreEqual(new DateOnly(2026, 12, 6), state.LastPoll);
    }

    /// <summary>A DICOMweb server in a lambda: path and query in, status and DICOM JSON out; every request is logged.</summary>
    private sealed class ScriptedDicomWeb(List<string> requests, Func<string, (HttpStatusCode Status, string Body)> answer) : HttpMessageHandler
    {
        public Func<string, (HttpStatusCode Status, string Body)> Answer { get; set; } = answer;

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.PathAndQuery;
            lock (requests) requests.Add(path);
            var (status, body) = Answer(path);
            return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/dicom+json") };
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(Send(request, cancellationToken));
    }
}

using System.Text.Json;
using OsteoML.Dicom;
using OsteoML.Pipelines.Bundles;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Pipelines;

/// <summary>
/// <c>watch --once</c> against a real PACS (<see cref="OrthancSandbox"/>): a CT study uploaded to Orthanc is screened and its
/// SR, SEG and QA capture appear in the study; a second poll screens nothing and Orthanc's instance count does not move
/// (the state folder is honoured, and our own objects never trigger a screening); a second study is screened alone; a
/// study whose pixel data is cut short is recorded as failed with its reason, the poll goes on, and the exit code says so;
/// a looping watcher stopped with SIGTERM finishes and records the series in hand.
/// </summary>
public sealed partial class ScreeningCommandTests
{
    [TestMethod]
    public void Watch_screens_each_new_CT_study_in_Orthanc_once_and_records_a_broken_one_as_failed()
    {
        var covered = Rows.Where(r => _data.Column(r, "split") != "train" && _data.Column(r, "covers_l1") == "1" && _data.Column(r, "covers_l2") == "1").ToList();
        var (first, second) = (covered[0], covered[1]);
        var broken = Rows.First(r => r != first && r != second);
        string Dir(string[] row) => Path.Combine(_data.Cohort, _data.Column(row, "series_dir"));
        var work = TestPaths.NewTempDirectory("orthanc-watch");
        var orthanc = OrthancSandbox.Create(work);
        File.WriteAllText(Path.Combine(work, "break.py"), BreakScript);
        File.WriteAllText(Path.Combine(work, "series.py"), SeriesScript);
        var watch = $"{OrthancSandbox.Cli} watch --dicomweb '{OrthancSandbox.DicomWebRoot}' --model '{_model}' --state state --once --since 19000101 --cache-dir '{_data.Cache}'";
        var run = orthanc.Run($$"""
            # Each watch's exit code is checked by the test, not by the shell.
            set +e
            poll() { {{watch}} > "$1.out" 2> "$1.err"; echo $? > "$1.rc"; echo {{orthanc.InstanceCount}} > "$1.count"; }
            {{orthanc.Upload(Dir(first))}}
            poll first
            poll again
            {{orthanc.Upload(Dir(second))}}
            poll second
            /usr/bin/python3 break.py '{{Dir(broken)}}' broken > broken.uids
            {{orthanc.Upload("broken")}}
            poll broken
            poll after
            # Without --once, on a fresh state folder: SIGTERM half a second into the first poll, while the first series is
            # being retrieved or screened (measured: the record was written 1.9 s after the signal), stops after that series.
            {{watch.Replace("--state state --once", "--state stopped --interval 1")}} > stop.out 2> stop.err &
            w=$!
            for i in $(seq 1 1200); do grep -q "watching" stop.err && break; sleep 0.05; done
            sleep 0.5
            kill -TERM $w
            wait $w
            echo $? > stop.rc
            /usr/bin/python3 series.py '{{OrthancSandbox.DicomWebRoot}}' '{{orthanc.User}}' '{{orthanc.Password}}' > series.json
            """, TimeSpan.FromMinutes(10));
        string Read(string file) => File.Exists(Path.Combine(work, file)) ? File.ReadAllText(Path.Combine(work, file)).Trim() : "";
        var logs = string.Join("\n", new[] { "first", "again", "second", "broken", "after", "stop" }.Select(p => $"--- {p} (exit {Read(p + ".rc")}):\n{Read(p + ".out")}\n{Read(p + ".err")}"));
        var context = $"{run.StdErr}\n{logs}\nOrthanc log tail:\n{orthanc.LogTail()}";
        Assert.AreEqual(0, run.ExitCode, context);

        int Count(string poll) => int.Parse(Read(poll + ".count"), System.Globalization.CultureInfo.InvariantCulture);
        int Slices(string[] row) => Directory.GetFiles(Dir(row)).Length;
        Assert.AreEqual("0", Read("first.rc"), context);
        Assert.AreEqual(Slices(first) + 3, Count("first"), "the CT and its SR, SEG and QA capture\n" + context);
        StringAssert.Contains(Read("first.out"), "1 series screened", context);

        Assert.AreEqual("0", Read("again.rc"), context);
        StringAssert.Contains(Read("again.out"), "0 series screened", "the state is honoured and our own SR/SEG/OT series are not CT\n" + context);
        Assert.AreEqual(Count("first"), Count("again"), "nothing sent again");

        Assert.AreEqual("0", Read("second.rc"), context);
        StringAssert.Contains(Read("second.out"), "1 series screened", context);
        StringAssert.Contains(Read("second.out"), "1 already done", context);
        Assert.AreEqual(Count("again") + Slices(second) + 3, Count("second"), context);

        var brokenUids = Read("broken.uids").Split(' ');
        Assert.AreEqual("3", Read("broken.rc"), "a failed series gives exit 3\n" + context);
        StringAssert.Contains(Read("broken.out"), "1 failed", context);
        StringAssert.Contains(Read("broken.err"), $"series {brokenUids[1]} of study {brokenUids[0]}: failed: ", context);
        Assert.AreEqual(Count("second") + Slices(broken), Count("broken"), "a failed series sends nothing\n" + context);

        Assert.AreEqual("0", Read("after.rc"), "a recorded failure is not tried again without --retry-failed\n" + context);
        StringAssert.Contains(Read("after.out"), "0 series screened", context);
        StringAssert.Contains(Read("after.out"), "3 already done", context);
        Assert.AreEqual(Count("broken"), Count("after"), context);

        // SIGTERM: a clean stop (0, or 3 when the broken series was reached first), never a kill mid-series (143), and
        // whatever was sent is recorded whole (how far it got depends on the machine's speed, so no count is asserted).
        StringAssert.Matches(Read("stop.rc"), new System.Text.RegularExpressions.Regex("^[03]$"), "SIGTERM ends the watcher cleanly\n" + Read("stop.err"));
        StringAssert.Contains(Read("stop.err"), "stopped;", context);
        var stopped = File.ReadAllLines(Path.Combine(work, "stopped", "watch.jsonl"));
        Assert.IsTrue(stopped.All(l => JsonDocument.Parse(l).RootElement.GetProperty("status").GetString() is "ok" or "failed"), Read("stop.err"));
        Assert.AreEqual(stopped.Count(l => l.Contains("\"ok\"", StringComparison.Ordinal)), Read("stop.out").Split('\n').Count(l => l.Contains("object(s) sent", StringComparison.Ordinal)),
            "every series sent is recorded");
        Assert.IsFalse(Directory.Exists(Path.Combine(work, "stopped", "incoming")) && Directory.EnumerateFileSystemEntries(Path.Combine(work, "stopped", "incoming")).Any());

        // The record: one line per series, with its bundle; the broken one failed with its reason.
        var records = File.ReadAllLines(Path.Combine(work, "state", "watch.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.HasCount(3, records, context);
        CollectionAssert.AreEqual(new[] { _data.Column(first, "series_uid"), _data.Column(second, "series_uid"), brokenUids[1] },
            records.Select(r => r.GetProperty("seriesInstanceUid").GetString()).ToArray());
        Assert.AreEqual("failed", records[2].GetProperty("status").GetString());
        Assert.IsFalse(string.IsNullOrEmpty(records[2].GetProperty("reason").GetString()));
        var bundleSha = ModelBundle.Sha256(Path.Combine(_model, ModelBundle.ManifestFile));
        Assert.IsTrue(records.All(r => r.GetProperty("bundleSha256").GetString() == bundleSha));
        Assert.IsFalse(Directory.Exists(Path.Combine(work, "state", "incoming")) && Directory.EnumerateFileSystemEntries(Path.Combine(work, "state", "incoming")).Any(),
            "the retrieved copies are removed");

        using var series = JsonDocument.Parse(Read("series.json"));
        string[] Modalities(string study) => series.RootElement.GetProperty(study).EnumerateArray().Select(m => m.GetString()!).Order(StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(new[] { "CT", "OT", "SEG", "SR" }, Modalities(_data.Column(first, "study_uid")));
        CollectionAssert.AreEqual(new[] { "CT", "OT", "SEG", "SR" }, Modalities(_data.Column(second, "study_uid")));
        CollectionAssert.AreEqual(new[] { "CT" }, Modalities(brokenUids[0]));

        foreach (var row in new[] { first, second, broken })
        {
            var source = DicomFile.Open(Directory.GetFiles(Dir(row)).Order(StringComparer.Ordinal).First()).Dataset;
            foreach (var identity in new[] { source.GetString(DicomTag.PatientID), source.GetString(DicomTag.PatientName) })
                Assert.DoesNotContain(identity, logs + File.ReadAllText(Path.Combine(work, "state", "watch.jsonl")), "no patient identity in the logs or the state");
        }
        Assert.DoesNotContain(orthanc.Password, run.StdOut + run.StdErr + logs, "the password is never printed");
    }

    /// <summary>A copy of a CT series as a new study whose every slice has half its pixel data: Orthanc stores it, we cannot read it.</summary>
    private const string BreakScript = """
        import sys, os, pydicom
        from pydicom.uid import generate_uid
        source, target = sys.argv[1:3]
        os.makedirs(target)
        study, series = generate_uid(), generate_uid()
        for name in sorted(os.listdir(source)):
            ds = pydicom.dcmread(os.path.join(source, name))
            ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
            ds.SOPInstanceUID = generate_uid()
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            half = len(ds.PixelData) // 4 * 2
            ds.PixelData = ds.PixelData[:half]
            ds.save_as(os.path.join(target, name))
        print(study, series)
        """;

    /// <summary>Every study's series modalities, by QIDO-RS with the standard library only.</summary>
    private const string SeriesScript = """
        import sys, json, base64, urllib.request
        root, user, password = sys.argv[1:4]
        auth = 'Basic ' + base64.b64encode(f'{user}:{password}'.encode()).decode()
        def get(path):
            req = urllib.request.Request(root + path, headers={'Authorization': auth, 'Accept': 'application/dicom+json'})
            with urllib.request.urlopen(req) as r:
                body = r.read()
                return json.loads(body) if body.strip() else []
        result = {}
        for study in get('/studies'):
            uid = study['0020000D']['Value'][0]
            result[uid] = [s['00080060']['Value'][0] for s in get(f'/studies/{uid}/series')]
        print(json.dumps(result))
        """;
}

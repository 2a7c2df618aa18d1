using System.Text.Json;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Pipelines;

/// <summary>
/// <c>pull</c> and <c>screen --push</c> against a real PACS: Debian's Orthanc 1.10 with its DICOMweb plugin, started by the test on a
/// local port with authentication on and remote access off, inside a private network namespace (<c>unshare -rn</c>) with
/// the osteoml processes, so nothing listens on the machine's interfaces. A CT study is uploaded (Orthanc's REST API), found
/// with <c>pull --list</c> (QIDO-RS), retrieved byte-identical with <c>pull --study</c> (WADO-RS) and screened; the objects
/// are sent with STOW-RS, come back byte-identical, and a second run replaces them instead of adding duplicates.
/// </summary>
public sealed partial class ScreeningCommandTests
{
    [TestMethod]
    public void A_study_pulled_from_Orthanc_is_screened_and_its_SR_SEG_and_QA_capture_pushed_back_and_replaced_on_rerun()
    {
        var row = Rows.First(r => _data.Column(r, "split") == "test" && _data.Column(r, "covers_l1") == "1" && _data.Column(r, "covers_l2") == "1");
        var seriesDir = Path.Combine(_data.Cohort, _data.Column(row, "series_dir"));
        var work = TestPaths.NewTempDirectory("orthanc");
        var orthanc = OrthancSandbox.Create(work);
        var root = OrthancSandbox.DicomWebRoot;
        var cli = OrthancSandbox.Cli;
        // The second run rewrites the files (new content times) and pushes them again: Orthanc must then hold exactly those bytes.
        var output = Path.Combine(work, "out");
        File.WriteAllText(Path.Combine(work, "check.py"), CheckScript);
        var run = orthanc.Run($$"""
            {{orthanc.Upload(seriesDir)}}
            {{cli}} pull '{{root}}' --list --json > list.json
            study=$(/usr/bin/python3 -c "import json; print(json.loads(open('list.json').readline())['studyInstanceUid'])")
            {{cli}} pull '{{root}}' --study "$study" --out pulled > pull.txt
            {{cli}} screen --model '{{_model}}' "pulled/$study" --json --cache-dir '{{_data.Cache}}' --dicom-out '{{output}}' --push '{{root}}' > first.json
            {{cli}} screen --model '{{_model}}' "pulled/$study" --json --cache-dir '{{_data.Cache}}' --dicom-out '{{output}}' --push '{{root}}' > second.json
            /usr/bin/python3 check.py '{{root}}' '{{orthanc.User}}' '{{orthanc.Password}}' '{{output}}' '{{seriesDir}}' "pulled/$study"
            """, TimeSpan.FromMinutes(10));
        Assert.AreEqual(0, run.ExitCode, $"{run.StdErr}\n{run.StdOut}\nOrthanc log tail:\n{orthanc.LogTail()}");
        Assert.DoesNotContain(orthanc.Password, run.StdOut + run.StdErr, "the password is never printed");

        using var check = JsonDocument.Parse(run.StdOut.Trim().Split('\n')[^1]);
        var c = check.RootElement;
        Assert.AreEqual(401, c.GetProperty("unauthenticated").GetInt32(), "authentication is on");
        Assert.AreEqual(3, c.GetProperty("local").GetInt32(), "SR, SEG and QA capture written");
        Assert.AreEqual(3, c.GetProperty("identical").GetInt32(), "each re-downloads byte-identical");
        var ctSlices = Directory.GetFiles(seriesDir).Length;
        Assert.AreEqual(ctSlices, c.GetProperty("pulledIdentical").GetInt32(), "pull retrieved every CT slice byte-identical");
        Assert.AreEqual(ctSlices + 3, c.GetProperty("instancesInStudy").GetInt32(), "the CT and three objects: the second run replaced, not duplicated");
        CollectionAssert.AreEquivalent(new[] { "OT", "SEG", "SR" }, c.GetProperty("modalities").EnumerateArray().Select(m => m.GetString()).ToArray());
    }

    /// <summary>QIDO-RS and WADO-RS with the standard library only: what Orthanc holds of the study, and each object's bytes.</summary>
    private const string CheckScript = """
        import sys, os, json, base64, urllib.request, urllib.error, pydicom
        root, user, password, out, original, pulled = sys.argv[1:7]
        auth = 'Basic ' + base64.b64encode(f'{user}:{password}'.encode()).decode()
        def get(path, accept):
            req = urllib.request.Request(root + path, headers={'Authorization': auth, 'Accept': accept})
            with urllib.request.urlopen(req) as r:
                return r.headers.get('Content-Type'), r.read()
        try:
            urllib.request.urlopen(root + '/studies')
            unauthenticated = 200
        except urllib.error.HTTPError as e:
            unauthenticated = e.code
        files = [os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs]
        identical, study, modalities = 0, None, []
        for f in files:
            ds = pydicom.dcmread(f)
            study = ds.StudyInstanceUID
            modalities.append(ds.Modality)
            ctype, body = get(f'/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}',
                              'multipart/related; type="application/dicom"')
            boundary = [p.split('=', 1)[1].strip('"') for p in ctype.split(';') if p.strip().startswith('boundary=')][0].encode()
            parts = [p for p in body.split(b'--' + boundary) if p.strip() not in (b'', b'--')]
            payload = parts[0].split(b'\r\n\r\n', 1)[1]
            if payload.endswith(b'\r\n'):
                payload = payload[:-2]
            identical += payload == open(f, 'rb').read()
        _, listing = get(f'/studies/{study}/instances', 'application/dicom+json')
        pulled_bytes = {pydicom.dcmread(os.path.join(pulled, f)).SOPInstanceUID: open(os.path.join(pulled, f), 'rb').read() for f in os.listdir(pulled)}
        pulled_identical = sum(pulled_bytes.get(pydicom.dcmread(os.path.join(original, f)).SOPInstanceUID) == open(os.path.join(original, f), 'rb').read()
                               for f in os.listdir(original))
        print(json.dumps({'unauthenticated': unauthenticated, 'local': len(files), 'identical': identical, 'pulledIdentical': pulled_identical,
                          'instancesInStudy': len(json.loads(listing)), 'modalities': modalities}))
        """;
}

using OsteoML.Dicom;
using OsteoML.Dicom.Series;
using OsteoML.Imaging;
using OsteoML.Inference;
using OsteoML.Pipelines.Measurement;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Segmentation;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.DicomOutputs;

/// <summary>
/// A small CT series written by our CT writer (a body with five vertebral bodies T12–L3 in it), a segmentation of it
/// whose native level map holds those bodies, and a screening result — what the DICOM output tests write objects from,
/// without running the networks. The patient's name and ID are distinctive so the tests can look for leaks.
/// </summary>
internal sealed class DicomOutputTestData
{
    public const string PatientName = "Testperson^Erika", PatientId = "PID-7788-XYZ";
    public static readonly IReadOnlyList<(string Level, int KLo, int KHi)> Bodies = [("T12", 2, 7), ("L1", 10, 17), ("L2", 20, 27), ("L3", 30, 33)];

    private DicomOutputTestData(string root, DicomStack stack, CtVolume volume, VertebraSegmentation segmentation, StudyResult result, ResultProvenance provenance)
    {
        Root = root;
        Stack = stack;
        Volume = volume;
        Segmentation = segmentation;
        Result = result;
        Provenance = provenance;
    }

    public string Root { get; }
    public DicomStack Stack { get; }
    public CtVolume Volume { get; }
    public VertebraSegmentation Segmentation { get; }
    public StudyResult Result { get; }
    public ResultProvenance Provenance { get; }
    public string SeriesFolder => Path.Combine(Root, "ct");

    public static DicomOutputTestData Create()
    {
        var root = TestPaths.NewTempDirectory("osteoml-dicomout");
        // An oblique-free but offset, anisotropic grid: x and y spacings differ so a transposed mask would show.
        var geometry = new VolumeGeometry(new Size3(48, 40, 36), new Vec3(1.25, 1.5, 2.5), new Vec3(-30.5, -42.25, -610), Direction3.Identity);
        var hu = new float[geometry.Size.Count];
        var levels = new byte[geometry.Size.Count];
        for (var k = 0; k < geometry.Size.Z; k++)
        for (var j = 0; j < geometry.Size.Y; j++)
        for (var i = 0; i < geometry.Size.X; i++)
        {
            var n = (k * geometry.Size.Y + j) * geometry.Size.X + i;
            var inBody = Sq((i - 24) / 22.0) + Sq((j - 20) / 18.0) <= 1;
            hu[n] = inBody ? 40 : -1000;
            var inVertebra = Sq((i - 22) / 7.0) + Sq((j - 24) / 5.0) <= 1;
            var body = Bodies.FirstOrDefault(b => k >= b.KLo && k <= b.KHi);
            if (inVertebra && body.Level is not null)
            {
                hu[n] = 150 + 3 * k;
                levels[n] = VertebraSegmentation.LevelCode(body.Level);
            }
        }
        var volume = new Volume<float>(geometry, hu);
        CtSeriesWriter.Write(volume, Path.Combine(root, "ct"), new CtSeriesDescription
        {
            PatientName = PatientName,
            PatientID = PatientId,
            StudyDate = "20240517",
            Acquisition = new CtAcquisition { Manufacturer = "SynthCT", InstitutionName = "Test Hospital", KVP = 120, PatientSex = "F", PatientAge = "067Y" },
        });
        // What a scanner's header has and our CT writer leaves out: study time, ID and accession number (copied, type 2).
        foreach (var file in Directory.GetFiles(Path.Combine(root, "ct")))
        {
            var dicom = DicomFile.Open(file);
            dicom.Dataset.Add(DicomTag.StudyTime, "101500");
            dicom.Dataset.Add(DicomTag.StudyID, "S-42");
            dicom.Dataset.Add(DicomTag.AccessionNumber, "ACC-5566");
            dicom.Save(file);
        }
        var stack = DicomSeriesScanner.Scan(Path.Combine(root, "ct")).Accepted.Single();
        var ct = stack.LoadVolume();

        // The native level map in a box around the bodies, as SegmentVertebrae keeps it.
        int[] lo = [10, 12, 1], hi = [34, 32, 34];
        var box = new byte[(hi[0] - lo[0] + 1) * (hi[1] - lo[1] + 1) * (hi[2] - lo[2] + 1)];
        var m = 0;
        for (var k = lo[2]; k <= hi[2]; k++)
        for (var j = lo[1]; j <= hi[1]; j++)
        for (var i = lo[0]; i <= hi[0]; i++)
            box[m++] = levels[(k * geometry.Size.Y + j) * geometry.Size.X + i];
        var segmentation = new VertebraSegmentation
        {
            SeriesInstanceUid = stack.SeriesInstanceUid,
            ModelSha256 = new string('5', 64),
            Status = LevelStatus.Identified,
            Reason = "T12 anchored by its ribs",
            Bodies = [.. Bodies.Select(b => new SegmentedBody(b.Level, VertebraSegmentation.LevelCode(b.Level), 10, 0.95, false, b.Level == "T12"))],
            Confidence = 0.95,
            ModelSpacingMm = 2,
            ModelSize = [1, 1, 1],
            ModelLevels = [0],
            NativeLo = lo,
            NativeHi = hi,
            NativeLevels = box,
        };
        var provenance = new ResultProvenance("qct-screening-test", new string('a', 64), new string('b', 64), new string('5', 64), "9.8.7");
        var result = provenance.Stamp(new StudyResult
        {
            StudyInstanceUid = stack.StudyInstanceUid,
            SeriesInstanceUid = stack.SeriesInstanceUid,
            SiteKey = "synthct|test-hospital",
            Status = StudyStatus.Ok,
            Bmd = 97.25,
            GlobalBmd = 95.5,
            Class = "osteopenia",
            Probabilities = [0.125, 0.75, 0.125],
            CalibrationProfile = "synthct|test-hospital: Linear, k = 7",
            Levels = [new LevelResult("L1", 182.5, 181.0, 12.25, 170, 195, 14.5, 99.5), new LevelResult("L2", 212.5, 211.0, 11.75, 200, 225, 15.25, 111.25)],
            QaFlags = [QaFlags.ContrastSuspected],
            LevelStatus = "Identified",
            SliceThicknessMm = 2.5,
            Kvp = 120,
        });
        return new DicomOutputTestData(root, stack, ct, segmentation, result, provenance);
    }

    /// <summary>The masks the SEG must hold, voxel by voxel: per segment label, every (i, j, k) set.</summary>
    /// <remarks>The ROI is recomputed here from its definition (a voxel of the level whose neighbours within the rim — 1 mm in whole
    /// voxels, at least one — along x and
    /// along y are all of the level), not with the product's function.</remarks>
    public IReadOnlyDictionary<string, HashSet<(int I, int J, int K)>> ExpectedMasks(MeasurementOptions options)
    {
        var g = Volume.Hu.Geometry;
        var rimX = Math.Max(1, (int)Math.Round(options.RimMm / g.Spacing.X));
        var rimY = Math.Max(1, (int)Math.Round(options.RimMm / g.Spacing.Y));
        var masks = new Dictionary<string, HashSet<(int, int, int)>>();
        for (var k = 0; k < g.Size.Z; k++)
        for (var j = 0; j < g.Size.Y; j++)
        for (var i = 0; i < g.Size.X; i++)
        {
            if (VertebraSegmentation.LevelName(Segmentation.NativeLevelAt(i, j, k)) is not { } level) continue;
            Add($"{level} vertebra", i, j, k);
            var code = VertebraSegmentation.LevelCode(level);
            if (level is "L1" or "L2"
                && Enumerable.Range(-rimX, 2 * rimX + 1).All(a => Segmentation.NativeLevelAt(i + a, j, k) == code)
                && Enumerable.Range(-rimY, 2 * rimY + 1).All(b => Segmentation.NativeLevelAt(i, j + b, k) == code))
                Add($"{level} trabecular ROI", i, j, k);
        }
        return masks;

        void Add(string label, int i, int j, int k)
        {
            if (!masks.TryGetValue(label, out var set)) masks[label] = set = [];
            set.Add((i, j, k));
        }
    }

    private static double Sq(double x) => x * x;
}

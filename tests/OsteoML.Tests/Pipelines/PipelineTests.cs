using System.Globalization;
using System.Text.Json;
using OsteoML.Pipelines;
using OsteoML.Pipelines.Bundles;
using OsteoML.Pipelines.Definitions;
using OsteoML.Pipelines.Heads;
using OsteoML.Pipelines.Screening;
using OsteoML.Pipelines.Studies;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Pipelines;

/// <summary>
/// The pipeline from study source to bundle on a synthetic cohort with true masks in the segmentation store:
/// measurements against pydicom + nibabel + numpy, the HU baseline against numpy's least squares, save → load →
/// identical predictions, and tampered bundles refused.
/// </summary>
[TestClass]
public sealed class PipelineTests
{
    private static PipelineTestData _data = null!;
    private static TrainingResult _qct = null!;
    private static TrainingResult _baseline = null!;

    [ClassInitialize]
    public static void Build(TestContext _)
    {
        _data = PipelineTestData.Create();
        var studies = StudySource.FromManifest(Path.Combine(_data.Cohort, "manifest.csv"));
        var options = new TrainingOptions { CacheDirectory = _data.Cache };
        _qct = ScreeningTrainer.Train(PipelineDefinition.Load(_data.QctDefinition), _data.QctDefinition, studies, Path.Combine(_data.Root, "qct"), options);
        _baseline = ScreeningTrainer.Train(PipelineDefinition.Load(_data.BaselineDefinition), _data.BaselineDefinition, studies, Path.Combine(_data.Root, "baseline"), options);
    }

    [TestMethod]
    public void Level_statistics_match_pydicom_nibabel_and_numpy_on_the_true_masks()
    {
        var measured = _baseline.Features.Where(f => f.Measurable).Take(3).ToList();
        Assert.HasCount(3, measured);
        foreach (var f in measured)
        {
            var row = _data.ManifestLines.Skip(1).First(r => _data.Column(r, "series_uid") == f.Study.SeriesInstanceUid);
            var reference = ExternalTool.Python("""
                import sys, glob, json, numpy as np, pydicom, nibabel
                from scipy.ndimage import binary_erosion
                series, labels = sys.argv[1], sys.argv[2]
                files = [pydicom.dcmread(p) for p in glob.glob(series + "/*.dcm")]
                normal = np.cross([float(v) for v in files[0].ImageOrientationPatient[:3]], [float(v) for v in files[0].ImageOrientationPatient[3:]])
                files.sort(key=lambda d: float(np.dot(normal, [float(v) for v in d.ImagePositionPatient])))
                # (k, row j, column i) -> (i, j, k), as nibabel's array is indexed
                hu = np.stack([d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in files]).transpose(2, 1, 0)
                lab = np.asarray(nibabel.load(labels).dataobj)
                out = {}
                # The ROI: the trabecular mask less an in-plane rim of 1 mm in whole voxels, at least one (a cross).
                rx = max(1, int(round(1.0 / float(files[0].PixelSpacing[1]))))
                ry = max(1, int(round(1.0 / float(files[0].PixelSpacing[0]))))
                cross = np.zeros((2 * rx + 1, 2 * ry + 1, 1), bool); cross[:, ry, 0] = True; cross[rx, :, 0] = True
                for level, value in (("L1", 33), ("L2", 34)):
                    v = hu[binary_erosion(lab == value, structure=cross)]
                    out[level] = [float(v.mean()), float(np.median(v)), float(v.std(ddof=1)), float(np.percentile(v, 10)), float(np.percentile(v, 25)),
                                  float(np.percentile(v, 75)), float(np.percentile(v, 90)), int(v.size)]
                print(json.dumps(out))
                """, Path.Combine(_data.Cohort, _data.Column(row, "series_dir")), Path.Combine(_data.Cohort, _data.Column(row, "label_path"))).EnsureSuccess("numpy reference");
            var expected = JsonSerializer.Deserialize<Dictionary<string, double[]>>(reference.StdOut)!;
            for (var level = 0; level < 2; level++)
            {
                var values = expected[level == 0 ? "L1" : "L2"];
                for (var field = 0; field < 7; field++)
                    Assert.AreEqual(values[field], f.LevelMeasures[level * 8 + field], 1e-3 * Math.Max(1, Math.Abs(values[field])), $"{f.Study.StudyId} level {level} field {field}");
            }
        }
    }

    [TestMethod]
    public void The_HU_baseline_is_numpys_least_squares_line_of_the_training_studies()
    {
        var train = _baseline.Features.Where(f => f.Study.Split == "train" && f.Measurable).ToList();
        var text = ExternalTool.Python("""
            import sys, json, numpy as np
            hu, bmd = json.loads(sys.argv[1]), json.loads(sys.argv[2])
            slope, intercept = np.polyfit(hu, bmd, 1)
            residual = np.array(bmd) - (intercept + slope * np.array(hu))
            print(json.dumps([intercept, slope, float(np.sqrt((residual ** 2).sum() / (len(hu) - 2)))]))
            """, JsonSerializer.Serialize(train.Select(f => (double)f.L1L2MeanHu)), JsonSerializer.Serialize(train.Select(f => (double)f.Study.Bmd))).EnsureSuccess("numpy polyfit");
        var expected = JsonSerializer.Deserialize<double[]>(text.StdOut)!;
        var line = _baseline.Bundle.Manifest.HuLine!;
        Assert.AreEqual(expected[0], line.Intercept, 1e-6 * Math.Max(1, Math.Abs(expected[0])));
        Assert.AreEqual(expected[1], line.Slope, 1e-9 * Math.Max(1, Math.Abs(expected[1])) + 1e-9);
        Assert.AreEqual(expected[2], line.ResidualSd, 1e-6 * expected[2]);
        Assert.AreEqual(train.Count, line.Cases);
    }

    [TestMethod]
    public void A_hand_worked_HU_line()
    {
        // HU 100, 150, 200, 250 with BMD 60, 100, 130, 170: x̄ = 175, ȳ = 115; deviations (−75, −25, 25, 75) and
        // (−55, −15, 15, 55): Sxy = 4125 + 375 + 375 + 4125 = 9000, Sxx = 12500 → slope 0.72, intercept 115 − 0.72·175 = −11;
        // fitted 61, 97, 133, 169 → residuals −1, 3, −3, 1 → SD √(20 / (4 − 2)) = √10.
        var line = HuLine.Fit([100, 150, 200, 250], [60, 100, 130, 170]);
        Assert.AreEqual(0.72, line.Slope, 1e-12);
        Assert.AreEqual(-11, line.Intercept, 1e-9);
        Assert.AreEqual(Math.Sqrt(10), line.ResidualSd, 1e-12);
    }

    [TestMethod]
    public void A_saved_bundle_loads_and_predicts_exactly_what_was_trained()
    {
        foreach (var training in new[] { _qct, _baseline })
        {
            var trained = training.Features.Where(f => f.Study.Split == "test" && f.Error is null).ToList();
            var expected = training.Results(trained);
            using var screener = new Screener(ModelBundle.Load(training.Bundle.Directory), _data.Cache);
            for (var i = 0; i < trained.Count; i++)
            {
                var screened = screener.Screen(trained[i].Study);
                Assert.AreEqual(expected[i].Status, screened.Status, trained[i].Study.StudyId);
                Assert.AreEqual(expected[i].Bmd, screened.Bmd, $"{training.Bundle.Definition.Name} {trained[i].Study.StudyId}");
                CollectionAssert.AreEqual(expected[i].Probabilities?.ToArray(), screened.Probabilities?.ToArray());
                Assert.AreEqual(expected[i].Class, screened.Class);
            }
        }
    }

    [TestMethod]
    public void Screened_features_are_the_heads_raw_input_and_scoring_leaves_the_callers_arrays_alone()
    {
        // The reference: the features the heads were trained on (the featurizer alone, before any head's normaliser).
        var trained = _qct.Features.Where(f => f.Study.Split == "test" && f.Error is null && f.Measurable).ToList();
        Assert.IsNotEmpty(trained);
        using var screener = new Screener(ModelBundle.Load(_qct.Bundle.Directory), _data.Cache);
        foreach (var f in trained)
        {
            screener.Screen(f.Study, out var screened);
            CollectionAssert.AreEqual(f.Features, screened.Features, f.Study.StudyId);
        }
        var before = trained.Select(f => f.Features.ToArray()).ToList();
        _qct.Results(trained);
        for (var i = 0; i < trained.Count; i++) CollectionAssert.AreEqual(before[i], trained[i].Features, "scoring must not normalise the caller's array");
    }

    [TestMethod]
    public void A_tampered_bundle_is_refused_with_the_file_named()
    {
        var copy = Path.Combine(TestPaths.NewTempDirectory(), "bundle");
        ModelBundle.CopyTo(_qct.Bundle.Directory, copy);
        var model = Path.Combine(copy, ModelBundle.ModelFile);
        var bytes = File.ReadAllBytes(model);
        bytes[bytes.Length / 2] ^= 1;
        File.WriteAllBytes(model, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => ModelBundle.Load(copy));
        StringAssert.Contains(ex.Message, "model.zip");
        StringAssert.Contains(ex.Message, "sha256");

        var onnx = Path.Combine(TestPaths.NewTempDirectory(), "bundle");
        ModelBundle.CopyTo(_qct.Bundle.Directory, onnx);
        File.AppendAllText(Path.Combine(onnx, ModelBundle.FeaturesDirectory, "model.onnx"), "x");
        StringAssert.Contains(Assert.Throws<InvalidDataException>(() => ModelBundle.Load(onnx)).Message, "models/features/model.onnx");

        var unlisted = Path.Combine(TestPaths.NewTempDirectory(), "bundle");
        ModelBundle.CopyTo(_qct.Bundle.Directory, unlisted);
        Directory.CreateDirectory(Path.Combine(unlisted, ModelBundle.CalibrationDirectory));
        File.WriteAllText(Path.Combine(unlisted, ModelBundle.CalibrationDirectory, "x.site-profile.json"), "{}");
        StringAssert.Contains(Assert.Throws<InvalidDataException>(() => ModelBundle.Load(unlisted)).Message, "not listed");
    }

    [TestMethod]
    public void Cached_features_are_the_features_computed_fresh()
    {
        var studies = _qct.Features.Where(f => f.Measurable).Take(2).Select(f => f.Study).ToList();
        var cache = TestPaths.NewTempDirectory();
        var ml = new Microsoft.ML.MLContext(1);
        using var screener = new Screener(ModelBundle.Load(_qct.Bundle.Directory), _data.Cache);
        var model = _qct.Bundle.LoadModel(ml, screener.Runtime);
        var extractor = new OsteoML.Pipelines.Features.FeatureExtractor(ml, model, "test", cache);
        var fresh = extractor.Extract(studies);
        var cached = extractor.Extract(studies);
        Assert.IsTrue(Directory.EnumerateFiles(cache, "*.json", SearchOption.AllDirectories).Any());
        for (var i = 0; i < studies.Count; i++)
        {
            CollectionAssert.AreEqual(fresh[i].Features, cached[i].Features);
            CollectionAssert.AreEqual(fresh[i].TissueHu, cached[i].TissueHu);
            Assert.AreEqual(fresh[i].PredictedBmd, cached[i].PredictedBmd);
            CollectionAssert.AreEqual(fresh[i].ClassProbabilities, cached[i].ClassProbabilities);
        }
    }

    [TestMethod]
    public void Studies_without_L1_and_L2_are_refused_not_guessed()
    {
        var uncovered = _data.ManifestLines.Skip(1).Where(r => _data.Column(r, "covers_l1") == "0" || _data.Column(r, "covers_l2") == "0")
            .Select(r => _data.Column(r, "series_uid")).ToHashSet();
        foreach (var f in _baseline.Features)
            Assert.AreEqual(!uncovered.Contains(f.Study.SeriesInstanceUid), f.Measurable, f.Study.StudyId);
        var results = _baseline.Results(_baseline.Features);
        Assert.IsTrue(results.Where(r => r.Status == StudyStatus.Refused).All(r => r.Bmd is null && r.QaFlags.Contains("l1_l2_not_covered")));
    }
}

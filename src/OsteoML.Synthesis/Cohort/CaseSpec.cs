using OsteoML.Synthesis.Anatomy;
using OsteoML.Synthesis.Physics;
using OsteoML.Synthesis.Sampling;
using OsteoML.Synthesis.Truth;

namespace OsteoML.Synthesis.Cohort;

/// <summary>
/// Everything about one case before any voxel exists: where and how it was scanned, the patient, the bone truth,
/// the anatomy and pathology, the coverage and the identifiers. Cheap to draw; rendering turns it into images.
/// </summary>
public sealed record CaseSpec(
    int Index,
    string CaseId,
    CohortSplit Split,
    Hospital Hospital,
    ScannerProfile Scanner,
    Patient Patient,
    BoneTruth Bone,
    SoftTissueTruth SoftTissue,
    Pathology Pathology,
    AnatomyModel Anatomy,
    Acquisition Acquisition,
    Coverage Coverage,
    CaseIdentity Identity,
    ulong SceneSeed,
    ulong NoiseSeed)
{
    /// <summary>The case's place among its patient's studies; null in a cohort without follow-ups.</summary>
    public FollowUpTruth? FollowUp { get; init; }

    /// <summary>
    /// The unenhanced trabecular HU this series would show for <paramref name="bmd"/> mg/cm³: the line
    /// HU = (1 + gain)·(marrow + slope·BMD) + offset at the series' effective kVp and the patient's marrow fat,
    /// before partial volume and noise. Contrast adds <see cref="BoneEnhancementHu"/>.
    /// </summary>
    public double TrabecularHuAt(double bmd) =>
        (1 + Acquisition.GainError) * XRayMaterials.TrabecularHu(bmd, Bone.MarrowFatFraction, Acquisition.EffectiveKvp) + Acquisition.OffsetHu;

    /// <summary>The series' HU per mg/cm³ (mineral slope times the calibration gain).</summary>
    public double HuPerMg => (1 + Acquisition.GainError) * Acquisition.MineralHuPerMg;

    /// <summary>Trabecular enhancement by contrast in this series (HU, after the calibration gain).</summary>
    public double BoneEnhancementHu => (1 + Acquisition.GainError) * Acquisition.Enhancement.Bone;
}

/// <summary>Draws a <see cref="CaseSpec"/> from the cohort seed and the case's place in the cohort.</summary>
public static class CaseSampler
{
    public static CaseSpec Sample(CohortPreset preset, ulong seed, int index, CohortSplit split, Hospital hospital, ScannerProfile scanner)
    {
        var random = new SynthRandom(SynthRandom.Derive(seed, $"{preset.Name}/case", index));
        var patient = PopulationModel.SamplePatient(hospital.Population, random);
        var bone = PopulationModel.SampleBone(patient, random);
        var soft = SoftTissueTruth.Sample(patient, random);
        var pathology = PathologyModel.Sample(patient, bone, random);
        var anatomy = AnatomySampler.Sample(patient, bone, pathology, random);
        var body = anatomy.Body;
        var acquisition = AcquisitionModel.Sample(scanner, hospital.Contrast, body.WaterDiameterCm, 2 * body.HalfWidthMm,
            body.CenterXMm, body.TableTopYMm - body.HalfDepthMm, bone.MarrowFatFraction, random);
        var coverage = CoverageModel.Sample(anatomy, preset.NonCoverageShare, acquisition.Slice.SpacingMm, random);
        var identity = CaseIdentity.Create(seed, preset.Name, index, patient, acquisition.StudyDateTime);
        return new CaseSpec(index, $"case-{index + 1:D5}", split, hospital, scanner, patient, bone, soft, pathology, anatomy,
            acquisition, coverage, identity, random.NextUInt64(), random.NextUInt64());
    }

    /// <summary>
    /// A later study of <paramref name="baseline"/>'s patient <paramref name="years"/> later on <paramref name="scanner"/>: the
    /// patient aged, every level's BMD lowered by (1 − <paramref name="annualLoss"/>)^years, the same anatomy (replayed from the
    /// baseline's own random stream, so only age, bone and any <paramref name="newFractures"/> change it) and trabecular
    /// texture; a new acquisition, coverage, QCT error and image noise. With <paramref name="keepProtocol"/> on the baseline's scanner
    /// the baseline's acquisition and coverage are kept: only the position, the calibration's drift to the new date and its jitter change.
    /// </summary>
    public static CaseSpec SampleFollowUp(CohortPreset preset, ulong seed, int index, CaseSpec baseline, ScannerProfile scanner, VisitKind visit,
        double years, double annualLoss, IReadOnlyList<CompressionFracture> newFractures, bool keepProtocol = false)
    {
        var random = new SynthRandom(SynthRandom.Derive(seed, $"{preset.Name}/follow-up", index));
        var patient = baseline.Patient with { Age = baseline.Patient.Age + years };
        var factor = Math.Pow(1 - annualLoss, years);
        var bone = baseline.Bone with
        {
            LevelBmd = baseline.Bone.LevelBmd.Select(b => b * factor).ToArray(),
            QctError = 0.025 * random.Gaussian(),
        };
        var pathology = newFractures.Count == 0 ? baseline.Pathology
            : baseline.Pathology with { Fractures = [.. baseline.Pathology.Fractures, .. newFractures] };
        var replay = new SynthRandom(SynthRandom.Derive(seed, $"{preset.Name}/case", baseline.Index));
        var replayedPatient = PopulationModel.SamplePatient(baseline.Hospital.Population, replay);
        var replayedBone = PopulationModel.SampleBone(replayedPatient, replay);
        SoftTissueTruth.Sample(replayedPatient, replay);
        PathologyModel.Sample(replayedPatient, replayedBone, replay);
        var anatomy = AnatomySampler.Sample(patient, bone, pathology, replay);
        var body = anatomy.Body;
        var date = baseline.Acquisition.StudyDateTime.AddDays(Math.Round(years * 365.25));
        var sameProtocol = keepProtocol && scanner.Id == baseline.Scanner.Id;
        var (gain, drifted) = scanner.Calibration.On(DateOnly.FromDateTime(date));
        var acquisition = sameProtocol
            ? baseline.Acquisition with
            {
                StudyDateTime = date,
                FovCentreXMm = Math.Round(baseline.Acquisition.FovCentreXMm + random.Normal(0, 3), 1),
                FovCentreYMm = Math.Round(baseline.Acquisition.FovCentreYMm + random.Normal(0, 3), 1),
                GainError = gain,
                OffsetHu = drifted + random.Normal(0, scanner.Calibration.JitterHu),
            }
            : AcquisitionModel.Sample(scanner, baseline.Hospital.Contrast, body.WaterDiameterCm, 2 * body.HalfWidthMm,
                body.CenterXMm, body.TableTopYMm - body.HalfDepthMm, bone.MarrowFatFraction, random, DateOnly.FromDateTime(date));
        var coverage = sameProtocol ? baseline.Coverage : CoverageModel.Sample(anatomy, preset.NonCoverageShare, acquisition.Slice.SpacingMm, random);
        var fresh = CaseIdentity.Create(seed, preset.Name, index, patient, acquisition.StudyDateTime);
        var identity = fresh with
        {
            PatientId = baseline.Identity.PatientId,
            PatientName = baseline.Identity.PatientName,
            BirthDate = baseline.Identity.BirthDate,
        };
        return new CaseSpec(index, $"case-{index + 1:D5}", baseline.Split, baseline.Hospital, scanner, patient, bone, baseline.SoftTissue, pathology, anatomy,
            acquisition, coverage, identity, baseline.SceneSeed, random.NextUInt64())
        {
            FollowUp = new FollowUpTruth(visit, baseline.CaseId, years, bone.TrueL1L2 - baseline.Bone.TrueL1L2, annualLoss, newFractures),
        };
    }
}

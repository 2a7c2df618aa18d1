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
}

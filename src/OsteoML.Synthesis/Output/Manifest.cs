using System.Globalization;
using System.Text;
using OsteoML.Domain;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Physics;
using OsteoML.Synthesis.Truth;

namespace OsteoML.Synthesis.Output;

/// <summary>
/// <c>manifest.csv</c>: one row per case. The first columns are the contract other stages read (issue 4):
/// case_id, patient_id, study_uid, series_uid, series_dir, label_path, split, site, scanner, kvp, kernel,
/// slice_thickness_mm, contrast_phase, age, sex, bmd_l1, bmd_l2, bmd_qct, class. Every hidden variable follows
/// (docs/synthesis.md explains each). Numbers use the invariant culture; lists inside a cell are ';'-separated.
/// </summary>
public static class Manifest
{
    public static IReadOnlyList<string> RequiredColumns { get; } =
    [
        "case_id", "patient_id", "study_uid", "series_uid", "series_dir", "label_path", "split", "site", "scanner", "kvp",
        "kernel", "slice_thickness_mm", "contrast_phase", "age", "sex", "bmd_l1", "bmd_l2", "bmd_qct", "class",
    ];

    /// <summary>The row of <paramref name="synthetic"/>, in column order, paths relative to the cohort directory.</summary>
    public static IReadOnlyList<(string Column, string Value)> Row(SyntheticCase synthetic, string seriesDir, string labelPath)
    {
        var s = synthetic.Spec;
        var a = s.Acquisition;
        var p = s.Patient;
        var bone = s.Bone;
        var body = s.Anatomy.Body;
        var g = synthetic.Hu.Geometry;
        var row = new List<(string, string)>
        {
            ("case_id", s.CaseId),
            ("patient_id", s.Identity.PatientId),
            ("study_uid", s.Identity.StudyInstanceUid),
            ("series_uid", s.Identity.SeriesInstanceUid),
            ("series_dir", seriesDir),
            ("label_path", labelPath),
            ("split", s.Split.Name()),
            ("site", s.Hospital.Id),
            ("scanner", s.Scanner.Id),
            ("kvp", Int(a.Kvp)),
            ("kernel", a.Kernel.Name),
            ("slice_thickness_mm", Num(synthetic.SliceThicknessMm, 3)),
            ("contrast_phase", a.Phase.Name()),
            ("age", Num(p.Age, 1)),
            ("sex", p.Sex == Sex.Female ? "F" : "M"),
            ("bmd_l1", Num(bone.Bmd(VertebralLevel.L1), 2)),
            ("bmd_l2", Num(bone.Bmd(VertebralLevel.L2), 2)),
            ("bmd_qct", Num(bone.QctBmd, 2)),
            ("class", bone.Class.Name()),

            ("size", synthetic.Size.ToString().ToLowerInvariant()),
            ("columns", Int(g.Size.X)),
            ("rows", Int(g.Size.Y)),
            ("slices", Int(g.Size.Z)),
            ("pixel_spacing_mm", Num(g.Spacing.X, 4)),
            ("slice_spacing_mm", Num(g.Spacing.Z, 3)),
            ("scanner_slice_thickness_mm", Num(a.Slice.ThicknessMm, 3)),
            ("scanner_slice_spacing_mm", Num(a.Slice.SpacingMm, 3)),
            ("fov_mm", Num(a.FovMm, 1)),
            ("institution", s.Hospital.Name),
            ("manufacturer", s.Scanner.Manufacturer),
            ("model", s.Scanner.ManufacturerModelName),
            ("station", s.Scanner.StationName),
            ("study_date", a.StudyDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ("iterative_reconstruction", a.Kernel.Iterative ?? ""),
            ("kvp_effective", Num(a.EffectiveKvp, 2)),
            ("ctdivol_mgy", Num(a.CtdiVolMGy, 2)),
            ("tube_current_ma", Int((int)a.TubeCurrentMa)),
            ("noise_sd_hu", Num(synthetic.ExpectedNoiseSd, 2)),
            ("scanner_noise_sd_hu", Num(a.NoiseSdHu, 2)),
            ("hu_per_mg", Num(s.HuPerMg, 4)),
            ("hu_at_zero_bmd", Num(s.TrabecularHuAt(0), 2)),
            ("calibration_gain_error", Num(a.GainError, 4)),
            ("calibration_offset_hu", Num(a.OffsetHu, 2)),
            ("contrast_bone_hu", Num(s.BoneEnhancementHu, 2)),
            ("contrast_aorta_hu", Num(a.Enhancement.Aorta, 1)),
            ("contrast_ivc_hu", Num(a.Enhancement.Ivc, 1)),
            ("stored_signed", s.Scanner.StoredValues.Signed ? "1" : "0"),
            ("bits_stored", Int(s.Scanner.StoredValues.BitsStored)),
            ("rescale_intercept", Num(s.Scanner.StoredValues.RescaleIntercept, 0)),
            ("outside_fov_hu", s.Scanner.StoredValues.OutsideFovHu is { } o ? Num(o, 0) : ""),
            ("height_cm", Num(p.HeightCm, 1)),
            ("weight_kg", Num(p.WeightKg, 1)),
            ("bmi", Num(p.Bmi, 1)),
            ("menopause_age", p.MenopauseAge is { } m ? Num(m, 1) : ""),
            ("marrow_fat_fraction", Num(bone.MarrowFatFraction, 4)),
            ("texture_amplitude", Num(bone.TextureAmplitude, 4)),
            ("qct_error", Num(bone.QctError, 4)),
            ("bmd_true_l1_l2", Num(bone.TrueL1L2, 2)),
        };
        foreach (var level in VertebralLevels.All)
        {
            if (level is not (VertebralLevel.L1 or VertebralLevel.L2))
                row.Add(($"bmd_{level.ToString().ToLowerInvariant()}", Num(bone.Bmd(level), 2)));
        }
        var spine = s.Anatomy.Spine;
        row.AddRange(
        [
            ("body_width_mm", Num(2 * body.HalfWidthMm, 1)),
            ("body_depth_mm", Num(2 * body.HalfDepthMm, 1)),
            ("water_diameter_cm", Num(body.WaterDiameterCm, 2)),
            ("sat_anterior_mm", Num(body.SatAnteriorMm, 1)),
            ("sat_lateral_mm", Num(body.SatLateralMm, 1)),
            ("sat_posterior_mm", Num(body.SatPosteriorMm, 1)),
            ("muscle_fat_fraction", Num(body.MuscleFatFraction, 4)),
            ("roll_deg", Num(body.RollDeg, 2)),
            ("lordosis_deg", Num(spine.LordosisDeg, 1)),
            ("scoliosis_cobb_deg", Num(spine.ScoliosisCobbDeg, 1)),
            ("vertebra_size_scale", Num(spine.SizeScale, 3)),
            ("rib_length_t10_mm", Num(s.Anatomy.RibLengthsMm[0], 1)),
            ("rib_length_t11_mm", Num(s.Anatomy.RibLengthsMm[1], 1)),
            ("rib_length_t12_mm", Num(s.Anatomy.RibLengthsMm[2], 1)),
            ("liver_fat_fraction", Num(s.SoftTissue.LiverFatFraction, 3)),
            ("blood_hu", Num(s.SoftTissue.BloodHu, 1)),
            ("lung_hu", Num(s.SoftTissue.LungHu, 1)),
            ("coverage_protocol", s.Coverage.Protocol),
            ("z_top_mm", Num(s.Coverage.ZTopMm, 2)),
            ("z_bottom_mm", Num(s.Coverage.ZBottomMm, 2)),
            ("covered_levels", string.Join(';', s.Coverage.CoveredLevels)),
            ("covers_l1", s.Coverage.Covers(VertebralLevel.L1) ? "1" : "0"),
            ("covers_l2", s.Coverage.Covers(VertebralLevel.L2) ? "1" : "0"),
            ("l1_center_z_mm", Num(s.Anatomy[VertebralLevel.L1].Center.Z, 2)),
            ("l2_center_z_mm", Num(s.Anatomy[VertebralLevel.L2].Center.Z, 2)),
            ("fractures", string.Join(';', s.Pathology.Fractures.Select(f => $"{f.Level}:grade{f.GenantGrade}:{f.Shape.ToString().ToLowerInvariant()}:{Num(f.HeightLoss, 3)}"))),
            ("osteophytes", Int(s.Pathology.Osteophytes.Count)),
            ("sclerosis", string.Join(';', s.Pathology.Sclerosis.Select(f => $"{f.Level}:{(f.EndplateBand ? "endplate" : "island")}"))),
            ("schmorl_nodes", string.Join(';', s.Pathology.SchmorlNodes.Select(n => $"{n.Level}:{(n.Superior ? "superior" : "inferior")}"))),
            ("aortic_plaques", Int(s.Pathology.AorticPlaques.Count)),
        ]);
        // Only cohorts with follow-ups have these columns (every case of such a cohort has its FollowUp), so other cohorts' manifests are unchanged.
        if (s.FollowUp is { } f)
            row.AddRange(
            [
                ("visit", f.Visit switch { VisitKind.Baseline => "baseline", VisitKind.Rescan => "rescan", _ => "follow-up" }),
                ("follow_up_of", f.Visit == VisitKind.Baseline ? "" : f.BaselineCaseId),
                ("years_since_baseline", Num(f.YearsSinceBaseline, 3)),
                ("true_bmd_change", Num(f.TrueBmdChange, 2)),
                ("annual_loss_fraction", Num(f.AnnualLossFraction, 4)),
                ("new_fractures", string.Join(';', f.NewFractures.Select(n => $"{n.Level}:grade{n.GenantGrade}:{n.Shape.ToString().ToLowerInvariant()}:{Num(n.HeightLoss, 3)}"))),
            ]);
        return row;
    }

    public static void Write(string path, IEnumerable<IReadOnlyList<(string Column, string Value)>> rows)
    {
        var text = new StringBuilder();
        var first = true;
        foreach (var row in rows)
        {
            if (first)
            {
                text.AppendJoin(',', row.Select(c => c.Column)).Append('\n');
                first = false;
            }
            text.AppendJoin(',', row.Select(c => CsvFile.Quote(c.Value))).Append('\n');
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }

    private static string Num(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}

using OsteoML.Synthesis.Sampling;

namespace OsteoML.Synthesis.Physics;

/// <summary>How one series was acquired and reconstructed, and the calibration state of the scanner that day.</summary>
public sealed record Acquisition(
    int Kvp,
    double EffectiveKvp,
    ReconstructionKernel Kernel,
    SliceSetting Slice,
    double FovMm,
    double FovCentreXMm,
    double FovCentreYMm,
    double CtdiVolMGy,
    double TubeCurrentMa,
    ContrastPhase Phase,
    ContrastEnhancement Enhancement,
    DateTime StudyDateTime,
    double GainError,
    double OffsetHu,
    double NoiseSdHu)
{
    /// <summary>Rotation time (ms), written as ExposureTime.</summary>
    public const int RotationTimeMs = 500;

    /// <summary>Mineral slope (HU per mg/cm³) of this series, before the calibration gain.</summary>
    public double MineralHuPerMg => XRayMaterials.MineralHuPerMg(EffectiveKvp);
}

/// <summary>Draws the acquisition of a case on a scanner, given the patient's size and marrow.</summary>
public static class AcquisitionModel
{
    public static Acquisition Sample(ScannerProfile scanner, ContrastMix contrast, double waterDiameterCm,
        double bodyWidthMm, double bodyCentreXMm, double bodyCentreYMm, double marrowFatFraction, SynthRandom random, DateOnly? studyDate = null)
    {
        var kvp = random.Choose(scanner.Kvps, k => k.Share).Kvp;
        var effectiveKvp = XRayMaterials.EffectiveKvp(scanner, kvp, waterDiameterCm);
        var kernel = random.Choose(scanner.Kernels, k => k.Share);
        var slice = random.Choose(scanner.Slices, s => s.Share);
        // Technologists fit the display FOV to the body with a margin; obese patients may exceed the largest FOV.
        var fov = Math.Round(Math.Clamp(bodyWidthMm + random.Uniform(30, 90), scanner.FovMinMm, scanner.FovMaxMm));
        var centreX = Math.Round(bodyCentreXMm + random.Normal(0, 6), 1);
        var centreY = Math.Round(bodyCentreYMm + random.Normal(0, 8), 1);

        // Exposure control raises dose in larger patients (μ_water ≈ 0.193/cm at ~70 keV: noise ∝ e^(μd/2)/√dose).
        var ctdi = scanner.ReferenceCtdiVolMGy
            * Math.Exp(2 * NoiseModel.HalfWaterMu * scanner.ExposureControlStrength * (waterDiameterCm - 30))
            * random.LogNormal(1, 0.15);
        // CTDIvol ≈ 7 mGy per 100 mAs at 120 kVp (body phantom), rising about as kVp^2.5.
        var mAs = ctdi * 100 / (7 * Math.Pow(kvp / 120.0, 2.5));
        var tubeCurrent = Math.Round(mAs / (Acquisition.RotationTimeMs / 1000.0));

        var phase = contrast.Sample(random);
        var enhancement = ContrastEnhancement.Sample(phase, marrowFatFraction, random).AtKvp(effectiveKvp);

        var span = scanner.StudiesTo.DayNumber - scanner.StudiesFrom.DayNumber;
        var drawn = scanner.StudiesFrom.AddDays(random.Next(0, span + 1));
        // A follow-up's date follows from its baseline's; the draw above still happens so the stream stays the same.
        var date = studyDate ?? drawn;
        var time = new TimeOnly(7, 30).Add(TimeSpan.FromMinutes(random.Next(0, 11 * 60))).Add(TimeSpan.FromSeconds(random.Next(0, 60)));
        var (gain, drifted) = scanner.Calibration.On(date);
        var offset = drifted + random.Normal(0, scanner.Calibration.JitterHu);

        var noise = NoiseModel.NativeSd(kernel, slice.ThicknessMm, ctdi, waterDiameterCm, kvp);
        return new Acquisition(kvp, effectiveKvp, kernel, slice, fov, centreX, centreY, ctdi, tubeCurrent, phase, enhancement,
            date.ToDateTime(time), gain, offset, noise);
    }
}

/// <summary>Quantum noise at the scanner's own grid (its matrix over the FOV).</summary>
public static class NoiseModel
{
    /// <summary>Half the linear attenuation of water at ~70 keV (0.193 /cm).</summary>
    public const double HalfWaterMu = 0.0965;

    /// <summary>
    /// Noise SD (HU): the kernel's reference value scaled by 1/√(thickness/1 mm), 1/√(CTDIvol/10 mGy),
    /// e^(μ/2·(D_w − 30 cm)) for patient attenuation, and (120/kVp)^0.75 for the fewer photons reaching the
    /// detector at low kVp at equal CTDIvol.
    /// </summary>
    public static double NativeSd(ReconstructionKernel kernel, double thicknessMm, double ctdiVolMGy, double waterDiameterCm, int kvp) =>
        kernel.NoiseSdHu
        * Math.Sqrt(1.0 / thicknessMm)
        * Math.Sqrt(10.0 / ctdiVolMGy)
        * Math.Exp(HalfWaterMu * (waterDiameterCm - 30))
        * Math.Pow(120.0 / kvp, 0.75);
}

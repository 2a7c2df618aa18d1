namespace OsteoML.Synthesis.Physics;

/// <summary>A tube voltage a scanner's protocols use, with how often.</summary>
public sealed record KvpSetting(int Kvp, double Share = 1);

/// <summary>A reconstructed slice thickness and spacing (overlap when spacing &lt; thickness), with how often.</summary>
public sealed record SliceSetting(double ThicknessMm, double SpacingMm, double Share = 1);

/// <summary>
/// A reconstruction kernel (filter plus any iterative strength) and what it does to the image: noise level at
/// reference conditions, noise texture (grain), sharpness (a Gaussian point-spread function, optionally with edge
/// enhancement).
/// </summary>
public sealed record ReconstructionKernel
{
    /// <summary>ConvolutionKernel as the vendor writes it (e.g. B30f, STANDARD, FC08).</summary>
    public required string Name { get; init; }
    public double Share { get; init; } = 1;
    /// <summary>Iterative reconstruction and its strength, as the vendor names it (null for plain FBP).</summary>
    public string? Iterative { get; init; }
    /// <summary>Noise SD (HU) at 1 mm slices, CTDIvol 10 mGy, 30 cm water-equivalent diameter, 120 kVp.</summary>
    public required double NoiseSdHu { get; init; }
    /// <summary>Sigma of the in-plane Gaussian point-spread function (mm); MTF50 ≈ 0.187 / sigma lp/mm.</summary>
    public required double ResolutionMm { get; init; }
    /// <summary>Edge enhancement of sharp kernels: the PSF is (1+β)·G(σ) − β·G(2σ).</summary>
    public double EdgeEnhancement { get; init; }
    /// <summary>Noise grain: weight α of the low frequencies removed from white noise (0 blotchy … 0.9 fine, FBP-like).</summary>
    public double NoiseGrain { get; init; } = 0.6;
    /// <summary>Scale (mm) of the low frequencies that <see cref="NoiseGrain"/> removes.</summary>
    public double NoiseGrainScaleMm { get; init; } = 1.2;
}

/// <summary>How the scanner stores pixel values: signedness, bits stored, rescale intercept, and the value it
/// writes outside the reconstruction circle (null: the circle is not masked).</summary>
public sealed record StoredValueConvention(bool Signed, int BitsStored, double RescaleIntercept, double? OutsideFovHu)
{
    public double MinHu => RescaleIntercept + (Signed ? -(1 << (BitsStored - 1)) : 0);
    public double MaxHu => RescaleIntercept + (Signed ? (1 << (BitsStored - 1)) - 1 : (1 << BitsStored) - 1);
}

/// <summary>
/// The CT-number calibration state of a scanner: water offset and gain error at <see cref="ReferenceDate"/>, how they
/// drift per year (tube ageing, recalibrations), and the scan-to-scan jitter.
/// </summary>
public sealed record CalibrationDrift
{
    public double WaterOffsetHu { get; init; }
    public double GainError { get; init; }
    public double OffsetDriftHuPerYear { get; init; }
    public double GainDriftPerYear { get; init; }
    public double JitterHu { get; init; } = 1.0;
    public DateOnly ReferenceDate { get; init; } = new(2020, 1, 1);

    /// <summary>Gain error and water offset on <paramref name="date"/>, before the scan's jitter.</summary>
    public (double Gain, double OffsetHu) On(DateOnly date)
    {
        var years = (date.DayNumber - ReferenceDate.DayNumber) / 365.25;
        return (GainError + GainDriftPerYear * years, WaterOffsetHu + OffsetDriftHuPerYear * years);
    }
}

/// <summary>
/// One CT scanner at one site: its DICOM identity and the physics that make its images differ from others'.
/// </summary>
public sealed record ScannerProfile
{
    /// <summary>Short stable key (manifest column <c>scanner</c>).</summary>
    public required string Id { get; init; }
    public required string Manufacturer { get; init; }
    public required string ManufacturerModelName { get; init; }
    public required string StationName { get; init; }
    public required string DeviceSerialNumber { get; init; }
    public string SoftwareVersions { get; init; } = "";
    public required IReadOnlyList<KvpSetting> Kvps { get; init; }
    /// <summary>Beam filtration relative to a typical scanner, expressed as an effective-kVp shift (harder beam: +).</summary>
    public double SpectralShiftKv { get; init; }
    /// <summary>Residual beam hardening after the vendor's correction: effective kVp rises by this many kV per cm of
    /// water-equivalent diameter above 30 cm (0 = perfectly corrected).</summary>
    public double BeamHardeningKvPerCm { get; init; } = 1.2;
    /// <summary>Residual cupping (HU lower at the centre than at the edge of a 30 cm patient).</summary>
    public double CuppingHu { get; init; } = 2;
    public CalibrationDrift Calibration { get; init; } = new();
    public required IReadOnlyList<ReconstructionKernel> Kernels { get; init; }
    public required IReadOnlyList<SliceSetting> Slices { get; init; }
    public double FovMinMm { get; init; } = 320;
    public double FovMaxMm { get; init; } = 500;
    public int Matrix { get; init; } = 512;
    /// <summary>CTDIvol (mGy) of the routine protocol for a 30 cm patient at 120 kVp.</summary>
    public double ReferenceCtdiVolMGy { get; init; } = 10;
    /// <summary>How fully automatic exposure control holds noise constant across patient sizes (0 none, 1 fully).</summary>
    public double ExposureControlStrength { get; init; } = 0.6;
    public required StoredValueConvention StoredValues { get; init; }
    public DateOnly StudiesFrom { get; init; } = new(2018, 1, 1);
    public DateOnly StudiesTo { get; init; } = new(2023, 12, 31);
    /// <summary>Cases per split drawn on this scanner.</summary>
    public SplitCounts Cases { get; init; } = new();
}

/// <summary>How many cases a scanner contributes to each split.</summary>
public sealed record SplitCounts(int Train = 0, int Test = 0, int Independent = 0)
{
    public int Total => Train + Test + Independent;

    public int this[CohortSplit split] => split switch
    {
        CohortSplit.Train => Train,
        CohortSplit.Test => Test,
        _ => Independent,
    };
}

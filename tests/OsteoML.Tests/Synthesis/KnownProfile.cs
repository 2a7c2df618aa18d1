using OsteoML.Synthesis;
using OsteoML.Synthesis.Cohort;
using OsteoML.Synthesis.Physics;

namespace OsteoML.Tests.Synthesis;

/// <summary>A one-scanner cohort whose physics the tests know by hand: 120 kVp, no beam hardening, no spectral
/// shift, no cupping, no contrast, a fixed calibration error and no jitter.</summary>
internal static class KnownProfile
{
    public const double Gain = 0.02;
    public const double OffsetHu = 6;
    public const double KernelNoiseHu = 20;
    public const double ThicknessMm = 2;

    public static ScannerProfile Scanner(int matrix, int cases) => new()
    {
        Id = "TEST-CT",
        Manufacturer = "TESTVENDOR",
        ManufacturerModelName = "Phantom 1",
        StationName = "TEST1",
        DeviceSerialNumber = "0001",
        Kvps = [new KvpSetting(120)],
        SpectralShiftKv = 0,
        BeamHardeningKvPerCm = 0,
        CuppingHu = 0,
        Calibration = new CalibrationDrift { WaterOffsetHu = OffsetHu, GainError = Gain, JitterHu = 0 },
        Kernels = [new ReconstructionKernel { Name = "TESTK", NoiseSdHu = KernelNoiseHu, ResolutionMm = 0.5, NoiseGrain = 0.6, NoiseGrainScaleMm = 1.2 }],
        Slices = [new SliceSetting(ThicknessMm, ThicknessMm)],
        Matrix = matrix,
        FovMinMm = 400,
        FovMaxMm = 400,
        StoredValues = new StoredValueConvention(Signed: true, BitsStored: 16, RescaleIntercept: -1024, OutsideFovHu: null),
        Cases = new SplitCounts(Train: cases),
    };

    public static SyntheticCohort Cohort(int matrix, int cases, ulong seed = 7) => SyntheticCohort.Create(new CohortPreset
    {
        Name = "known",
        NonCoverageShare = 0,
        Hospitals =
        [
            new Hospital
            {
                Id = "T", Name = "Test Hospital",
                Contrast = new ContrastMix(None: 1, Arterial: 0, PortalVenous: 0),
                Scanners = [Scanner(matrix, cases)],
            },
        ],
    }, seed);
}

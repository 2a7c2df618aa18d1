using OsteoML.Dicom.Sr;
using OsteoML.Pipelines.Screening;

namespace OsteoML.Pipelines.DicomOutputs;

/// <summary>
/// The coded concepts of the DICOM outputs. DCM, SCT and UCUM codes are those of PS3.16 (checked against the context
/// groups named beside each; pydicom's copy of PS3.16 and the CID 7603 table). Where PS3.16 has no concept — a
/// QCT-equivalent volumetric BMD, the ACR categories, the QA flags, the bundle's identity — the private coding scheme
/// <see cref="PrivateScheme"/> (a "99" designator, PS3.16 §8.2) is used and declared in the SR's Coding Scheme
/// Identification Sequence, rather than borrowing a standard code whose meaning differs.
/// </summary>
public static class ScreeningCodes
{
    public const string PrivateScheme = "99OSTEOML";

    // ---- document structure (TID 1500 and what it includes) -------------------------------------------------------
    public static readonly DicomCodeItem ImagingMeasurementReport = new("126000", "DCM", "Imaging Measurement Report");
    public static readonly DicomCodeItem LanguageOfContent = new("121049", "DCM", "Language of Content Item and Descendants");
    public static readonly DicomCodeItem EnglishUnitedStates = new("en-US", "RFC5646", "English (United States)");
    public static readonly DicomCodeItem ObserverType = new("121005", "DCM", "Observer Type");
    public static readonly DicomCodeItem Device = new("121007", "DCM", "Device");
    public static readonly DicomCodeItem DeviceObserverUid = new("121012", "DCM", "Device Observer UID");
    public static readonly DicomCodeItem DeviceObserverName = new("121013", "DCM", "Device Observer Name");
    public static readonly DicomCodeItem DeviceObserverManufacturer = new("121014", "DCM", "Device Observer Manufacturer");
    public static readonly DicomCodeItem DeviceObserverModelName = new("121015", "DCM", "Device Observer Model Name");
    public static readonly DicomCodeItem ProcedureReported = new("121058", "DCM", "Procedure reported");
    /// <summary>SCT 77477000, the procedure of a CT examination.</summary>
    public static readonly DicomCodeItem ComputerizedAxialTomography = new("77477000", "SCT", "Computerized axial tomography");
    public static readonly DicomCodeItem ImageLibrary = new("111028", "DCM", "Image Library");
    public static readonly DicomCodeItem ImageLibraryGroup = new("126200", "DCM", "Image Library Group");
    public static readonly DicomCodeItem ImagingMeasurements = new("126010", "DCM", "Imaging Measurements");
    public static readonly DicomCodeItem MeasurementGroup = new("125007", "DCM", "Measurement Group");
    public static readonly DicomCodeItem TrackingIdentifier = new("112039", "DCM", "Tracking Identifier");
    public static readonly DicomCodeItem TrackingUniqueIdentifier = new("112040", "DCM", "Tracking Unique Identifier");
    public static readonly DicomCodeItem Finding = new("121071", "DCM", "Finding");
    public static readonly DicomCodeItem FindingSite = new("363698007", "SCT", "Finding Site");
    public static readonly DicomCodeItem ReferencedSegment = new("121191", "DCM", "Referenced Segment");
    public static readonly DicomCodeItem SourceSeriesForSegmentation = new("121232", "DCM", "Source series for segmentation");
    public static readonly DicomCodeItem Derivation = new("121401", "DCM", "Derivation");
    public static readonly DicomCodeItem AlgorithmName = new("111001", "DCM", "Algorithm Name");
    public static readonly DicomCodeItem AlgorithmVersion = new("111003", "DCM", "Algorithm Version");
    public static readonly DicomCodeItem AlgorithmParameters = new("111002", "DCM", "Algorithm Parameters");
    public static readonly DicomCodeItem Comment = new("121106", "DCM", "Comment");
    public static readonly DicomCodeItem Probability = new("122157", "DCM", "Probability");

    // ---- quantities, derivations, units ----------------------------------------------------------------------------
    public static readonly DicomCodeItem AttenuationCoefficient = new("112031", "DCM", "Attenuation Coefficient");
    public static readonly DicomCodeItem Mean = new("373098007", "SCT", "Mean");
    public static readonly DicomCodeItem Median = new("373099004", "SCT", "Median");
    public static readonly DicomCodeItem StandardDeviation = new("386136009", "SCT", "Standard Deviation");
    public static readonly DicomCodeItem Volume = new("118565006", "SCT", "Volume");
    public static readonly DicomCodeItem HounsfieldUnit = new("[hnsf'U]", "UCUM", "Hounsfield unit");
    public static readonly DicomCodeItem CubicCentimeter = new("cm3", "UCUM", "cubic centimeter");
    /// <summary>CID 301 (Multi-energy Material Unit) spells the meaning "mg/cm^3".</summary>
    public static readonly DicomCodeItem MilligramPerCubicCentimeter = new("mg/cm3", "UCUM", "mg/cm^3");
    public static readonly DicomCodeItem NoUnits = new("1", "UCUM", "no units");

    // ---- anatomy (CID 7150 category, CID 7603 vertebrae, CID 7151 types) -------------------------------------------
    public static readonly DicomCodeItem AnatomicalStructure = new("123037004", "SCT", "Anatomical Structure");
    public static readonly DicomCodeItem Bone = new("272673000", "SCT", "Bone");
    public static readonly DicomCodeItem LumbarSpine = new("122496007", "SCT", "Lumbar spine");

    /// <summary>CID 7603 (Vertebra).</summary>
    public static DicomCodeItem Vertebra(string level) => level switch
    {
        "T10" => new("7610001", "SCT", "T10 vertebra"),
        "T11" => new("12989004", "SCT", "T11 vertebra"),
        "T12" => new("23215003", "SCT", "T12 vertebra"),
        "L1" => new("66794005", "SCT", "L1 vertebra"),
        "L2" => new("14293000", "SCT", "L2 vertebra"),
        "L3" => new("36470004", "SCT", "L3 vertebra"),
        "L4" => new("11994002", "SCT", "L4 vertebra"),
        "L5" => new("49668003", "SCT", "L5 vertebra"),
        _ => throw new ArgumentException($"no CID 7603 code for level '{level}'.", nameof(level)),
    };

    // ---- private concepts (no PS3.16 equivalent) -------------------------------------------------------------------
    public static readonly DicomCodeItem VolumetricBmd = new("VBMD", PrivateScheme, "Volumetric BMD, QCT-equivalent");
    public static readonly DicomCodeItem GlobalModelBmd = new("VBMD-GLOBAL", PrivateScheme, "Volumetric BMD before site calibration");
    public static readonly DicomCodeItem LevelBmdEstimate = new("VBMD-LEVEL", PrivateScheme, "Level BMD on the bundle's HU line");
    public static readonly DicomCodeItem AcrCategory = new("ACR-CLASS", PrivateScheme, "ACR QCT bone density category");
    public static readonly DicomCodeItem ScreeningStatus = new("STATUS", PrivateScheme, "Screening status");
    public static readonly DicomCodeItem QaFlag = new("QA-FLAG", PrivateScheme, "Quality assurance flag");
    public static readonly DicomCodeItem SiteCalibration = new("SITE-CAL", PrivateScheme, "Site calibration applied");
    public static readonly DicomCodeItem SiteKey = new("SITE-KEY", PrivateScheme, "Scanner site key");
    public static readonly DicomCodeItem BundleSha256 = new("BUNDLE-SHA256", PrivateScheme, "Model bundle SHA-256");
    public static readonly DicomCodeItem ModelSha256 = new("MODEL-SHA256", PrivateScheme, "Global model SHA-256");
    public static readonly DicomCodeItem SegmentationModelSha256 = new("SEGMODEL-SHA256", PrivateScheme, "Segmentation model SHA-256");
    public static readonly DicomCodeItem ResultSchemaVersion = new("SCHEMA", PrivateScheme, "Result schema version");
    public static readonly DicomCodeItem TrabecularRoi = new("TRAB-ROI", PrivateScheme, "Trabecular ROI, in-plane rim excluded");

    /// <summary>The ACR categories as codes of the private scheme (normal > 120, osteopenia 80–120, osteoporosis &lt; 80 mg/cm³).</summary>
    public static DicomCodeItem AcrClass(string name) => name switch
    {
        "normal" => new("ACR-NORMAL", PrivateScheme, "Normal bone density (> 120 mg/cm3)"),
        "osteopenia" => new("ACR-OSTEOPENIA", PrivateScheme, "Osteopenia (80-120 mg/cm3)"),
        "osteoporosis" => new("ACR-OSTEOPOROSIS", PrivateScheme, "Osteoporosis (< 80 mg/cm3)"),
        _ => throw new ArgumentException($"unknown ACR class '{name}'.", nameof(name)),
    };

    public static DicomCodeItem Status(StudyStatus status) => new(status.Name().ToUpperInvariant(), PrivateScheme, status switch
    {
        StudyStatus.Ok => "BMD reported",
        StudyStatus.Refused => "Refused: L1/L2 not identified, no BMD",
        _ => "Failed",
    });

    public static DicomCodeItem Flag(string flag) => new(flag.ToUpperInvariant(), PrivateScheme, flag.Replace('_', ' '));
}

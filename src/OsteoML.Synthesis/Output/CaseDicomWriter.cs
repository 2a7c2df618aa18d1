using System.Globalization;
using System.Runtime.InteropServices;
using OsteoML.Dicom;
using OsteoML.Synthesis.Physics;
using OsteoML.Synthesis.Truth;

namespace OsteoML.Synthesis.Output;

/// <summary>
/// Writes a rendered case as a CT Image Storage series, one Part 10 file per slice, through the DICOM layer
/// (<see cref="DicomDataset"/>, <see cref="DicomFile"/>). Headers carry what a scanner writes: patient age and
/// sex, study and series identity, the scanner's identity, kVp, tube current, CTDIvol, kernel, slice thickness,
/// FOV, contrast, and the scanner's stored-value convention (signedness, bits stored, rescale intercept, padding
/// outside the reconstruction circle). Instance 1 is the most cranial slice, as scanners number them. Output is
/// byte-identical for the same case: every UID and date comes from the case.
/// </summary>
public static class CaseDicomWriter
{
    public static IReadOnlyList<string> Write(SyntheticCase synthetic, string directory, DicomTransferSyntax? transferSyntax = null)
    {
        var syntax = transferSyntax ?? DicomTransferSyntax.ExplicitVRLittleEndian;
        Directory.CreateDirectory(directory);
        var slices = synthetic.Hu.Size.Z;
        var files = new string[slices];
        Parallel.For(0, slices, k =>
        {
            var instance = slices - k;
            var file = new DicomFile(SliceDataset(synthetic, k, instance));
            if (syntax != DicomTransferSyntax.ExplicitVRLittleEndian)
                file = file.Clone(syntax);
            var path = Path.Combine(directory, $"CT{instance:D5}.dcm");
            file.Save(path);
            files[instance - 1] = path;
        });
        return files;
    }

    /// <summary>Transfer syntaxes the cohort can be written in, by their command-line names.</summary>
    public static IReadOnlyDictionary<string, DicomTransferSyntax> TransferSyntaxes { get; } = new Dictionary<string, DicomTransferSyntax>
    {
        ["explicit-le"] = DicomTransferSyntax.ExplicitVRLittleEndian,
        ["implicit-le"] = DicomTransferSyntax.ImplicitVRLittleEndian,
        ["deflate"] = DicomTransferSyntax.DeflatedExplicitVRLittleEndian,
        ["rle"] = DicomTransferSyntax.RLELossless,
    };

    private static DicomDataset SliceDataset(SyntheticCase synthetic, int k, int instance)
    {
        var spec = synthetic.Spec;
        var a = spec.Acquisition;
        var scanner = spec.Scanner;
        var id = spec.Identity;
        var g = synthetic.Hu.Geometry;
        var position = g.IndexToWorld(0, 0, k);
        var stored = scanner.StoredValues;
        var studyDate = a.StudyDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var studyTime = a.StudyDateTime.ToString("HHmmss", CultureInfo.InvariantCulture);
        // Reconstruction follows the scan by a minute or two; one slice every few milliseconds.
        var content = a.StudyDateTime.AddSeconds(90 + instance * 0.01);
        var contentTime = content.ToString("HHmmss.ff", CultureInfo.InvariantCulture);
        var contrast = a.Phase != ContrastPhase.None;

        var ds = new DicomDataset();
        ds.Add(DicomTag.SpecificCharacterSet, "ISO_IR 100");
        ds.Add(DicomTag.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
        ds.Add(DicomTag.InstanceCreationDate, studyDate);
        ds.Add(DicomTag.InstanceCreationTime, contentTime);
        ds.Add(DicomTag.SOPClassUID, DicomUID.CTImageStorage);
        ds.Add(DicomTag.SOPInstanceUID, id.SopInstanceUid(instance));
        ds.Add(DicomTag.StudyDate, studyDate);
        ds.Add(DicomTag.SeriesDate, studyDate);
        ds.Add(DicomTag.AcquisitionDate, studyDate);
        ds.Add(DicomTag.ContentDate, content.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        ds.Add(DicomTag.StudyTime, studyTime);
        ds.Add(DicomTag.SeriesTime, studyTime);
        ds.Add(DicomTag.AcquisitionTime, studyTime);
        ds.Add(DicomTag.ContentTime, contentTime);
        ds.Add(DicomTag.AccessionNumber, id.AccessionNumber);
        ds.Add(DicomTag.Modality, "CT");
        ds.Add(DicomTag.Manufacturer, scanner.Manufacturer);
        ds.Add(DicomTag.InstitutionName, spec.Hospital.Name);
        if (spec.Hospital.Address.Length > 0)
            ds.Add(DicomTag.InstitutionAddress, spec.Hospital.Address);
        ds.Add(DicomTag.ReferringPhysicianName, "");
        ds.Add(DicomTag.StationName, scanner.StationName);
        ds.Add(DicomTag.StudyDescription, StudyDescription(spec.Coverage.Protocol, contrast));
        ds.Add(DicomTag.SeriesDescription, SeriesDescription(spec));
        ds.Add(DicomTag.ManufacturerModelName, scanner.ManufacturerModelName);
        ds.Add(DicomTag.PatientName, id.PatientName);
        ds.Add(DicomTag.PatientID, id.PatientId);
        ds.Add(DicomTag.PatientBirthDate, id.BirthDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        ds.Add(DicomTag.PatientSex, spec.Patient.Sex == Sex.Female ? "F" : "M");
        ds.Add(DicomTag.PatientAge, $"{(int)spec.Patient.Age:D3}Y");
        ds.Add(DicomTag.PatientSize, Math.Round(spec.Patient.HeightCm / 100, 2));
        ds.Add(DicomTag.PatientWeight, Math.Round(spec.Patient.WeightKg, 1));
        if (contrast)
        {
            ds.Add(DicomTag.ContrastBolusAgent, "IOHEXOL 350 MGI/ML");
            ds.Add(DicomTag.ContrastBolusRoute, "IV");
        }
        ds.Add(DicomTag.BodyPartExamined, spec.Coverage.Protocol.StartsWith("chest", StringComparison.Ordinal) ? "CHEST" : "ABDOMEN");
        ds.Add(DicomTag.SliceThickness, synthetic.SliceThicknessMm);
        ds.Add(DicomTag.KVP, (double)a.Kvp);
        ds.Add(DicomTag.DataCollectionDiameter, 500.0);
        ds.Add(DicomTag.DeviceSerialNumber, scanner.DeviceSerialNumber);
        if (scanner.SoftwareVersions.Length > 0)
            ds.Add(DicomTag.SoftwareVersions, scanner.SoftwareVersions);
        ds.Add(DicomTag.ProtocolName, spec.Coverage.Protocol.ToUpperInvariant());
        ds.Add(DicomTag.ReconstructionDiameter, a.FovMm);
        ds.Add(DicomTag.GantryDetectorTilt, 0.0);
        ds.Add(DicomTag.TableHeight, Math.Round(250 - spec.Anatomy.Body.TableTopYMm, 1));
        ds.Add(DicomTag.RotationDirection, "CW");
        ds.Add(DicomTag.ExposureTime, Acquisition.RotationTimeMs);
        ds.Add(DicomTag.XRayTubeCurrent, (int)a.TubeCurrentMa);
        ds.Add(DicomTag.Exposure, (int)Math.Round(a.TubeCurrentMa * Acquisition.RotationTimeMs / 1000));
        ds.Add(DicomTag.ConvolutionKernel, a.Kernel.Name.Split('\\'));
        ds.Add(DicomTag.PatientPosition, "HFS");
        ds.Add(DicomTag.SpiralPitchFactor, 0.984);
        ds.Add(DicomTag.CTDIvol, Math.Round(a.CtdiVolMGy, 2));
        ds.Add(DicomTag.StudyInstanceUID, id.StudyInstanceUid);
        ds.Add(DicomTag.SeriesInstanceUID, id.SeriesInstanceUid);
        ds.Add(DicomTag.StudyID, id.StudyId);
        ds.Add(DicomTag.SeriesNumber, id.SeriesNumber);
        ds.Add(DicomTag.AcquisitionNumber, 1);
        ds.Add(DicomTag.InstanceNumber, instance);
        ds.Add(DicomTag.ImagePositionPatient, Round(position.X), Round(position.Y), Round(position.Z));
        ds.Add(DicomTag.ImageOrientationPatient, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0);
        ds.Add(DicomTag.FrameOfReferenceUID, id.FrameOfReferenceUid);
        ds.Add(DicomTag.PositionReferenceIndicator, "");
        ds.Add(DicomTag.SliceLocation, Round(position.Z));
        ds.Add(DicomTag.SamplesPerPixel, (ushort)1);
        ds.Add(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        ds.Add(DicomTag.Rows, (ushort)g.Size.Y);
        ds.Add(DicomTag.Columns, (ushort)g.Size.X);
        ds.Add(DicomTag.PixelSpacing, Round(g.Spacing.Y), Round(g.Spacing.X));
        ds.Add(DicomTag.BitsAllocated, (ushort)16);
        ds.Add(DicomTag.BitsStored, (ushort)stored.BitsStored);
        ds.Add(DicomTag.HighBit, (ushort)(stored.BitsStored - 1));
        ds.Add(DicomTag.PixelRepresentation, (ushort)(stored.Signed ? 1 : 0));
        if (stored.OutsideFovHu is { } padding)
        {
            var value = padding - stored.RescaleIntercept;
            if (stored.Signed)
                ds.Add(DicomTag.PixelPaddingValue, DicomVR.SS, (short)value);
            else
                ds.Add(DicomTag.PixelPaddingValue, DicomVR.US, (ushort)value);
        }
        ds.Add(DicomTag.WindowCenter, 40.0);
        ds.Add(DicomTag.WindowWidth, 400.0);
        ds.Add(DicomTag.RescaleIntercept, stored.RescaleIntercept);
        ds.Add(DicomTag.RescaleSlope, 1.0);
        ds.Add(DicomTag.RescaleType, "HU");
        ds.Add(new DicomElement(DicomTag.PixelData, DicomVR.OW, StoredPixels(synthetic.Hu.Slice(k), stored)));
        return ds;
    }

    /// <summary>HU (already integers within the convention's range) to stored values, little endian.</summary>
    private static byte[] StoredPixels(ReadOnlySpan<float> hu, StoredValueConvention stored)
    {
        var intercept = (float)stored.RescaleIntercept;
        if (stored.Signed)
        {
            var values = new short[hu.Length];
            for (var i = 0; i < hu.Length; i++)
                values[i] = (short)(hu[i] - intercept);
            return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        }
        var unsigned = new ushort[hu.Length];
        for (var i = 0; i < hu.Length; i++)
            unsigned[i] = (ushort)(hu[i] - intercept);
        return MemoryMarshal.AsBytes(unsigned.AsSpan()).ToArray();
    }

    private static double Round(double mm) => Math.Round(mm, 4);

    private static string StudyDescription(string protocol, bool contrast) => protocol switch
    {
        "chest" => contrast ? "CT CHEST WITH CONTRAST" : "CT CHEST WITHOUT CONTRAST",
        "chest-abdomen" => contrast ? "CT CHEST ABDOMEN WITH CONTRAST" : "CT CHEST ABDOMEN",
        "lumbar-pelvis" => contrast ? "CT ABDOMEN PELVIS WITH CONTRAST" : "CT LUMBAR SPINE PELVIS",
        _ => contrast ? "CT ABDOMEN WITH CONTRAST" : "CT ABDOMEN WITHOUT CONTRAST",
    };

    private static string SeriesDescription(Cohort.CaseSpec spec)
    {
        var phase = spec.Acquisition.Phase switch
        {
            ContrastPhase.Arterial => "ARTERIAL",
            ContrastPhase.PortalVenous => "PORTAL",
            _ => "NATIVE",
        };
        var kernel = spec.Acquisition.Kernel.Name.Split('\\')[0];
        return FormattableString.Invariant($"{phase} {spec.Acquisition.Slice.ThicknessMm:0.###} {kernel}");
    }
}

using System.Globalization;
using System.Runtime.InteropServices;
using OsteoML.Imaging;

namespace OsteoML.Dicom.Series;

/// <summary>
/// Writes a volume of Hounsfield units as one Enhanced CT Image Storage object (PS3.3 §A.38): every slice a frame,
/// its position in the Plane Position functional group, orientation, pixel measures, rescale and frame type shared;
/// a two-level dimension (stack, position in stack). What modern scanners export, so the reader can be tested on it.
/// Frames are marked DERIVED: they come from a volume, not from an acquisition this writer can describe.
/// </summary>
public static class EnhancedCtWriter
{
    public static void Write(Volume<float> hu, string path, CtSeriesDescription? description = null)
    {
        var d = description ?? new CtSeriesDescription();
        var g = hu.Geometry;
        var a = d.Acquisition;
        var now = DateTime.UtcNow;
        var date = d.StudyDate;
        var time = now.ToString("HHmmss", CultureInfo.InvariantCulture);
        var ds = new DicomDataset();
        ds.Add(DicomTag.SpecificCharacterSet, "ISO_IR 192");
        ds.Add(DicomTag.ImageType, "DERIVED", "PRIMARY", "VOLUME", "NONE");
        ds.Add(DicomTag.SOPClassUID, DicomUID.EnhancedCTImageStorage);
        ds.Add(DicomTag.SOPInstanceUID, DicomUID.Generate());
        ds.Add(DicomTag.StudyDate, date);
        ds.Add(DicomTag.ContentDate, date);
        ds.Add(DicomTag.StudyTime, time);
        ds.Add(DicomTag.ContentTime, time);
        ds.Add(DicomTag.AccessionNumber, "");
        ds.Add(DicomTag.Modality, "CT");
        // Enhanced General Equipment makes these four type 1.
        ds.Add(DicomTag.Manufacturer, a.Manufacturer ?? "OsteoML");
        ds.Add(DicomTag.ReferringPhysicianName, "");
        ds.Add(DicomTag.SeriesDescription, d.SeriesDescription);
        ds.Add(DicomTag.ManufacturerModelName, a.ManufacturerModelName ?? "OsteoML");
        ds.Add(DicomTag.PatientName, d.PatientName);
        ds.Add(DicomTag.PatientID, d.PatientID);
        ds.Add(DicomTag.PatientBirthDate, "");
        ds.Add(DicomTag.PatientSex, a.PatientSex ?? "");
        ds.Add(DicomTag.DeviceSerialNumber, a.DeviceSerialNumber ?? "0");
        ds.Add(DicomTag.SoftwareVersions, "OsteoML");
        ds.Add(DicomTag.StudyInstanceUID, d.StudyInstanceUid ?? DicomUID.Generate());
        ds.Add(DicomTag.SeriesInstanceUID, d.SeriesInstanceUid ?? DicomUID.Generate());
        ds.Add(DicomTag.StudyID, "1");
        ds.Add(DicomTag.PatientPosition, "HFS");
        ds.Add(DicomTag.SeriesNumber, d.SeriesNumber);
        ds.Add(DicomTag.InstanceNumber, 1);
        ds.Add(DicomTag.FrameOfReferenceUID, d.FrameOfReferenceUid ?? DicomUID.Generate());
        ds.Add(DicomTag.PositionReferenceIndicator, "");
        ds.Add(DicomTag.NumberOfFrames, g.Size.Z);
        ds.Add(DicomTag.SamplesPerPixel, (ushort)1);
        ds.Add(DicomTag.PhotometricInterpretation, "MONOCHROME2");
        ds.Add(DicomTag.Rows, (ushort)g.Size.Y);
        ds.Add(DicomTag.Columns, (ushort)g.Size.X);
        ds.Add(DicomTag.BitsAllocated, (ushort)16);
        ds.Add(DicomTag.BitsStored, (ushort)16);
        ds.Add(DicomTag.HighBit, (ushort)15);
        ds.Add(DicomTag.PixelRepresentation, (ushort)1);
        ds.Add(DicomTag.BurnedInAnnotation, "NO");
        ds.Add(DicomTag.LossyImageCompression, "00");
        ds.Add(DicomTag.PresentationLUTShape, "IDENTITY");
        ds.Add(DicomTag.ContentQualification, "RESEARCH");
        ds.Add(DicomTag.AcquisitionContextSequence, []);
        // Common CT/MR Image Description at image level (repeated in the CT Image Frame Type group below).
        ds.Add(DicomTag.PixelPresentation, "MONOCHROME");
        ds.Add(DicomTag.VolumetricProperties, "VOLUME");
        ds.Add(DicomTag.VolumeBasedCalculationTechnique, "NONE");

        // Dimensions: which stack, then where in it (PS3.3 §C.7.6.17).
        var organization = DicomUID.Generate();
        ds.Add(DicomTag.DimensionOrganizationSequence, new DicomDataset().Add(DicomTag.DimensionOrganizationUID, organization));
        ds.Add(DicomTag.DimensionOrganizationType, "3D");
        ds.Add(DicomTag.DimensionIndexSequence,
            Dimension(organization, DicomTag.StackID, "Stack ID"),
            Dimension(organization, DicomTag.InStackPositionNumber, "In-Stack Position Number"));

        var shared = new DicomDataset()
            // Frame Anatomy and Irradiation Event Identification are mandatory for Enhanced CT: the body region
            // (SNOMED CT 818981001 "Abdomen", laterality unpaired) and one irradiation event for the whole volume.
            .Add(DicomTag.FrameAnatomySequence, new DicomDataset()
                .Add(DicomTag.AnatomicRegionSequence, new DicomDataset()
                    .Add(DicomTag.CodeValue, "818981001").Add(DicomTag.CodingSchemeDesignator, "SCT").Add(DicomTag.CodeMeaning, "Abdomen"))
                .Add(DicomTag.FrameLaterality, "U"))
            .Add(DicomTag.IrradiationEventIdentificationSequence, new DicomDataset().Add(DicomTag.IrradiationEventUID, DicomUID.Generate()))
            .Add(DicomTag.PixelMeasuresSequence, new DicomDataset()
                .Add(DicomTag.PixelSpacing, g.Spacing.Y, g.Spacing.X)
                .Add(DicomTag.SliceThickness, a.SliceThickness ?? g.Spacing.Z)
                .Add(DicomTag.SpacingBetweenSlices, g.Spacing.Z))
            .Add(DicomTag.PlaneOrientationSequence, new DicomDataset()
                .Add(DicomTag.ImageOrientationPatient, g.Direction.I.X, g.Direction.I.Y, g.Direction.I.Z, g.Direction.J.X, g.Direction.J.Y, g.Direction.J.Z))
            .Add(DicomTag.PixelValueTransformationSequence, new DicomDataset()
                .Add(DicomTag.RescaleIntercept, d.RescaleIntercept).Add(DicomTag.RescaleSlope, d.RescaleSlope).Add(DicomTag.RescaleType, "HU"))
            .Add(DicomTag.CTImageFrameTypeSequence, new DicomDataset()
                .Add(DicomTag.FrameType, "DERIVED", "PRIMARY", "VOLUME", "NONE")
                .Add(DicomTag.PixelPresentation, "MONOCHROME")
                .Add(DicomTag.VolumetricProperties, "VOLUME")
                .Add(DicomTag.VolumeBasedCalculationTechnique, "NONE"));
        ds.Add(DicomTag.SharedFunctionalGroupsSequence, shared);
        ds.Add(DicomTag.PerFrameFunctionalGroupsSequence, Enumerable.Range(0, g.Size.Z).Select(z =>
        {
            var position = g.IndexToWorld(0, 0, z);
            return new DicomDataset()
                .Add(DicomTag.FrameContentSequence, new DicomDataset()
                    .Add(DicomTag.StackID, "1")
                    .Add(DicomTag.InStackPositionNumber, (uint)(z + 1))
                    .Add(DicomTag.DimensionIndexValues, 1u, (uint)(z + 1)))
                .Add(DicomTag.PlanePositionSequence, new DicomDataset().Add(DicomTag.ImagePositionPatient, position.X, position.Y, position.Z));
        }).ToArray());

        var sliceSize = g.Size.X * g.Size.Y;
        var stored = new short[checked(sliceSize * g.Size.Z)];
        for (var z = 0; z < g.Size.Z; z++)
            CtSeriesWriter.StoreSlice(hu, z, d, stored.AsSpan(z * sliceSize, sliceSize));
        ds.Add(new DicomElement(DicomTag.PixelData, DicomVR.OW, MemoryMarshal.AsBytes(stored.AsSpan()).ToArray()));
        new DicomFile(ds).Save(path);
    }

    private static DicomDataset Dimension(string organization, DicomTag pointer, string label) => new DicomDataset()
        .Add(DicomTag.DimensionOrganizationUID, organization)
        .Add(DicomTag.DimensionIndexPointer, pointer)
        .Add(DicomTag.FunctionalGroupPointer, DicomTag.FrameContentSequence)
        .Add(DicomTag.DimensionDescriptionLabel, label);
}

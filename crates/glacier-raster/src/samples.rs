//! Typed pixel buffers.

/// The numeric type of a raster's samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleType {
    /// Unsigned 8-bit.
    U8,
    /// Signed 8-bit.
    I8,
    /// Unsigned 16-bit (Landsat DNs, QA bits).
    U16,
    /// Signed 16-bit (DEMs, HLS reflectance).
    I16,
    /// Unsigned 32-bit.
    U32,
    /// Signed 32-bit.
    I32,
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
}

impl SampleType {
    /// Bytes per sample.
    pub fn size(self) -> usize {
        match self {
            SampleType::U8 | SampleType::I8 => 1,
            SampleType::U16 | SampleType::I16 => 2,
            SampleType::U32 | SampleType::I32 | SampleType::F32 => 4,
            SampleType::F64 => 8,
        }
    }

    /// Lower-case name as GDAL prints it (`uint16`, `float32`, …).
    pub fn name(self) -> &'static str {
        match self {
            SampleType::U8 => "uint8",
            SampleType::I8 => "int8",
            SampleType::U16 => "uint16",
            SampleType::I16 => "int16",
            SampleType::U32 => "uint32",
            SampleType::I32 => "int32",
            SampleType::F32 => "float32",
            SampleType::F64 => "float64",
        }
    }
}

/// Samples of one band (or one window of it), row-major, in the file's own type.
#[derive(Clone, Debug, PartialEq)]
pub enum Samples {
    /// Unsigned 8-bit samples.
    U8(Vec<u8>),
    /// Signed 8-bit samples.
    I8(Vec<i8>),
    /// Unsigned 16-bit samples.
    U16(Vec<u16>),
    /// Signed 16-bit samples.
    I16(Vec<i16>),
    /// Unsigned 32-bit samples.
    U32(Vec<u32>),
    /// Signed 32-bit samples.
    I32(Vec<i32>),
    /// 32-bit float samples.
    F32(Vec<f32>),
    /// 64-bit float samples.
    F64(Vec<f64>),
}

macro_rules! each {
    ($self:expr, $v:ident => $body:expr) => {
        match $self {
            Samples::U8($v) => $body,
            Samples::I8($v) => $body,
            Samples::U16($v) => $body,
            Samples::I16($v) => $body,
            Samples::U32($v) => $body,
            Samples::I32($v) => $body,
            Samples::F32($v) => $body,
            Samples::F64($v) => $body,
        }
    };
}

impl Samples {
    /// A zero-filled buffer of `len` samples of type `ty`.
    pub fn zeros(ty: SampleType, len: usize) -> Samples {
        match ty {
            SampleType::U8 => Samples::U8(vec![0; len]),
            SampleType::I8 => Samples::I8(vec![0; len]),
            SampleType::U16 => Samples::U16(vec![0; len]),
            SampleType::I16 => Samples::I16(vec![0; len]),
            SampleType::U32 => Samples::U32(vec![0; len]),
            SampleType::I32 => Samples::I32(vec![0; len]),
            SampleType::F32 => Samples::F32(vec![0.0; len]),
            SampleType::F64 => Samples::F64(vec![0.0; len]),
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        each!(self, v => v.len())
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sample type.
    pub fn sample_type(&self) -> SampleType {
        match self {
            Samples::U8(_) => SampleType::U8,
            Samples::I8(_) => SampleType::I8,
            Samples::U16(_) => SampleType::U16,
            Samples::I16(_) => SampleType::I16,
            Samples::U32(_) => SampleType::U32,
            Samples::I32(_) => SampleType::I32,
            Samples::F32(_) => SampleType::F32,
            Samples::F64(_) => SampleType::F64,
        }
    }

    /// The samples as native-endian bytes.
    pub fn as_bytes(&self) -> &[u8] {
        each!(self, v => bytemuck::cast_slice(v.as_slice()))
    }

    /// The samples as native-endian bytes, for decoders that write bytes.
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        each!(self, v => bytemuck::cast_slice_mut(v.as_mut_slice()))
    }

    /// Makes this a buffer of `len` samples of type `ty`, reusing the allocation when it can
    /// (the values are then unspecified, not zero).
    pub fn reuse_as(&mut self, ty: SampleType, len: usize) {
        if self.sample_type() != ty {
            *self = Samples::zeros(ty, len);
            return;
        }
        each!(self, v => v.resize(len, Default::default()));
    }

    /// Sample `i` as `f64`.
    #[allow(clippy::unnecessary_cast)] // one macro arm per type; the f64 arm casts to itself
    pub fn get_f64(&self, i: usize) -> Option<f64> {
        each!(self, v => v.get(i).map(|x| *x as f64))
    }

    /// All samples converted to `f32` (exact for every type but 32/64-bit integers and f64).
    #[allow(clippy::unnecessary_cast)] // one macro arm per type; the f32 arm casts to itself
    pub fn to_f32(&self) -> Vec<f32> {
        each!(self, v => v.iter().map(|x| *x as f32).collect())
    }
}

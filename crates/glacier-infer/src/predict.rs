//! Prediction: a window's channels → glacier probabilities, and whole scenes strip by strip.

use burn::tensor::{Device, Tensor, TensorData};
use glacier_inputs::tiling::{Blender, tiles};
use glacier_inputs::{ChannelName, ChannelReader, InputSpec, Normalisation, StatisticsPass};
use glacier_model::SegNet;
use glacier_raster::Window;

use crate::bundle::{ModelBundle, ModelHeader};
use crate::error::InferError;

/// A loaded model on a device.
pub struct Predictor {
    net: SegNet,
    /// On a CPU device, the U-Net on this project's kernels (`glacier-kernels`), which compute
    /// in place of burn's CPU backends.
    kernels: Option<glacier_kernels::UNet>,
    header: ModelHeader,
    names: Vec<ChannelName>,
    device: Device,
}

/// A network input built from a window, ready to run.
pub struct PreparedInput {
    /// `channels × padded_height × padded_width` values (one image, NCHW).
    pub values: Vec<f32>,
    /// Channels of `values`.
    pub channels: usize,
    /// Padded height the network sees.
    pub padded_height: usize,
    /// Which pixels of the (unpadded) window had every channel.
    pub valid: Vec<bool>,
    /// Window width and height.
    pub size: (u32, u32),
    /// Padded width the network sees.
    pub padded_width: usize,
}

impl Predictor {
    /// Builds the network of `bundle` on `device`. On a CPU device the U-Net runs on this
    /// project's kernels (`glacier-kernels`: several times faster than burn's CPU backends,
    /// `glacier bench-model`), and a network they do not cover on burn with its batch norms
    /// folded ([`Predictor::on_burn`]).
    ///
    /// # Errors
    /// [`InferError::Weights`] when the weights do not fit, [`InferError::Inputs`] for a channel
    /// this version cannot build.
    pub fn new(bundle: &ModelBundle, device: &Device) -> Result<Predictor, InferError> {
        let mut predictor = Predictor::on_burn(bundle, device)?;
        if glacier_model::devices::is_cpu(device) {
            predictor.kernels = predictor
                .net
                .kernel_weights()
                .ok()
                .and_then(|w| glacier_kernels::UNet::new(&w).ok());
        }
        Ok(predictor)
    }

    /// [`Predictor::new`] on burn's backend for `device` alone: on a CPU device with the batch
    /// norms folded into their convolutions
    /// ([`SegNet::fold_batch_norm`](glacier_model::SegNet::fold_batch_norm)).
    ///
    /// # Errors
    /// As [`Predictor::new`].
    pub fn on_burn(bundle: &ModelBundle, device: &Device) -> Result<Predictor, InferError> {
        let mut predictor = Predictor::as_stored(bundle, device)?;
        // On the CPU, one convolution where there were a convolution and a batch norm
        // (`glacier bench-model --as-stored` times both). Not on a GPU: folding reads the
        // weights back, which WebGPU only does asynchronously, and it was not measured there.
        if glacier_model::devices::is_cpu(device) {
            predictor.net = predictor.net.fold_batch_norm();
        }
        Ok(predictor)
    }

    /// [`Predictor::on_burn`] without folding batch norms into their convolutions: the network
    /// exactly as the file stores it, for comparisons (on a GPU the two are the same).
    ///
    /// # Errors
    /// As [`Predictor::new`].
    pub fn as_stored(bundle: &ModelBundle, device: &Device) -> Result<Predictor, InferError> {
        let names = bundle.header.input.channel_names()?;
        Ok(Predictor {
            net: bundle.load_net(device)?,
            kernels: None,
            header: bundle.header.clone(),
            names,
            device: device.clone(),
        })
    }

    /// What computes: this project's kernels with their instruction set, or burn on the
    /// device.
    pub fn engine(&self) -> String {
        match &self.kernels {
            Some(k) => format!("glacier-kernels ({})", k.isa().name()),
            None => format!("burn ({:?})", self.device),
        }
    }

    /// The channels the model takes, in tensor order.
    pub fn names(&self) -> &[ChannelName] {
        &self.names
    }

    /// The model's header.
    pub fn header(&self) -> &ModelHeader {
        &self.header
    }

    /// The normalisation to use for a scene: the stored training statistics, or (for
    /// [`Normalisation::Scene`]) the scene's own, read from 64-row bands (all rows of a scene up
    /// to 2048 rows, one band in four above).
    ///
    /// # Errors
    /// Read errors of the scene.
    pub fn statistics_for(
        &self,
        reader: &mut ChannelReader<'_>,
        width: u32,
        height: u32,
    ) -> Result<InputSpec, InferError> {
        let mut pass = self.statistics_pass(width, height);
        if let Some(pass) = &mut pass {
            while pass.step(reader, &self.names)? {}
        }
        Ok(self.statistics_from(pass.as_ref()))
    }

    /// The pass over the scene that [`Self::statistics_for`] makes, for a caller that pauses
    /// between its steps; `None` when the model normalises with its training statistics.
    pub fn statistics_pass(&self, width: u32, height: u32) -> Option<StatisticsPass> {
        match self.header.input.normalisation {
            Normalisation::Training => None,
            Normalisation::Scene => {
                let every = if height > 2048 { 256 } else { 64 };
                Some(StatisticsPass::new(width, height, 64, every))
            }
        }
    }

    /// The normalisation from a finished [`Self::statistics_pass`] (`None`: the training
    /// statistics).
    pub fn statistics_from(&self, pass: Option<&StatisticsPass>) -> InputSpec {
        let spec = &self.header.input;
        match pass {
            Some(pass) => spec.with_statistics(pass.finish(&self.names)),
            None => spec.clone(),
        }
    }

    /// Normalises `channels` (one row-major `Vec` per channel of a `width × height` window) with
    /// `stats` and pads them to a multiple of the network's `2^depth`.
    pub fn prepare(
        &self,
        stats: &InputSpec,
        mut channels: Vec<Vec<f32>>,
        width: u32,
        height: u32,
    ) -> PreparedInput {
        let valid = stats.normalise(&mut channels);
        let m = self.header.network().map_or(1, |n| n.size_multiple());
        let (w, h) = (width as usize, height as usize);
        let (pw, ph) = (w.div_ceil(m) * m, h.div_ceil(m) * m);
        let mut data = vec![0.0f32; channels.len() * pw * ph];
        for (c, values) in channels.iter().enumerate() {
            for r in 0..h {
                let dst = c * pw * ph + r * pw;
                data[dst..dst + w].copy_from_slice(&values[r * w..(r + 1) * w]);
            }
        }
        PreparedInput {
            values: data,
            channels: channels.len(),
            padded_height: ph,
            valid,
            size: (width, height),
            padded_width: pw,
        }
    }

    /// The input as a tensor on the predictor's device, `[1, channels, padded_height,
    /// padded_width]`.
    pub fn input_tensor(&self, input: &PreparedInput) -> Tensor<4> {
        let shape = [1, input.channels, input.padded_height, input.padded_width];
        Tensor::from_data(TensorData::new(input.values.clone(), shape), &self.device)
    }

    /// The network's logits for a prepared input as a tensor on the device (computed by the
    /// kernels where they run, then handed over).
    ///
    /// # Errors
    /// [`InferError::Backend`] when the kernels refuse the input.
    pub fn logits(&self, input: &PreparedInput) -> Result<Tensor<4>, InferError> {
        match &self.kernels {
            Some(_) => {
                let values = self.kernel_logits(input)?;
                let shape = [
                    1,
                    values.len() / (input.padded_height * input.padded_width).max(1),
                    input.padded_height,
                    input.padded_width,
                ];
                Ok(Tensor::from_data(
                    TensorData::new(values, shape),
                    &self.device,
                ))
            }
            None => Ok(self.net.forward(self.input_tensor(input))),
        }
    }

    /// The network's logits for a prepared input, read back (asynchronously, as WebGPU needs;
    /// on the CPU it is ready at once); hand them to [`Predictor::finish`].
    ///
    /// # Errors
    /// [`InferError::Backend`] when the result cannot be read back.
    pub async fn logit_values(&self, input: &PreparedInput) -> Result<Vec<f32>, InferError> {
        if self.kernels.is_some() {
            return self.kernel_logits(input);
        }
        let data = self
            .net
            .forward(self.input_tensor(input))
            .into_data_async()
            .await;
        let data =
            data.map_err(|e| self.backend_error(format!("reading the result back: {e:?}")))?;
        data.try_into_vec::<f32>()
            .map_err(|e| self.backend_error(format!("unexpected result type: {e:?}")))
    }

    fn kernel_logits(&self, input: &PreparedInput) -> Result<Vec<f32>, InferError> {
        let Some(k) = &self.kernels else {
            return Err(self.backend_error("the kernels are not loaded".into()));
        };
        k.forward(
            &input.values,
            input.channels,
            input.padded_height,
            input.padded_width,
        )
        .map_err(|e| self.backend_error(e.to_string()))
    }

    fn backend_error(&self, detail: String) -> InferError {
        InferError::Backend {
            backend: self.engine(),
            detail,
        }
    }

    /// Glacier probabilities of the window from the logits' values: sigmoid, padding cropped,
    /// NaN where an input channel had no data.
    pub fn finish(input: &PreparedInput, logits: &[f32]) -> Vec<f32> {
        let (w, h) = (input.size.0 as usize, input.size.1 as usize);
        let mut out = Vec::with_capacity(w * h);
        for r in 0..h {
            for c in 0..w {
                let i = r * w + c;
                let z = logits.get(r * input.padded_width + c).copied();
                out.push(match z {
                    Some(z) if input.valid[i] => 1.0 / (1.0 + (-z).exp()),
                    _ => f32::NAN,
                });
            }
        }
        out
    }

    /// Glacier probabilities of one window, computed synchronously (native backends).
    ///
    /// # Errors
    /// [`InferError::Backend`] when the result cannot be read back.
    pub fn probabilities(
        &self,
        stats: &InputSpec,
        channels: Vec<Vec<f32>>,
        width: u32,
        height: u32,
    ) -> Result<Vec<f32>, InferError> {
        let input = self.prepare(stats, channels, width, height);
        let logits = match &self.kernels {
            Some(_) => self.kernel_logits(&input)?,
            None => self
                .net
                .forward(self.input_tensor(&input))
                .into_data()
                .try_into_vec::<f32>()
                .map_err(|e| self.backend_error(format!("{e:?}")))?,
        };
        Ok(Self::finish(&input, &logits))
    }
}

/// A whole scene predicted strip by strip: overlapping tiles of the model's size, blended
/// without seams; memory holds one row of tiles and the strip.
pub struct ScenePrediction<'p> {
    predictor: &'p Predictor,
    stats: InputSpec,
    width: u32,
    height: u32,
    tiles: Vec<Window>,
    cache: Vec<(Window, Vec<f32>)>,
    computed: usize,
}

impl<'p> ScenePrediction<'p> {
    /// Prepares to predict a `width × height` scene normalised with `stats` (see
    /// [`Predictor::statistics_for`]).
    pub fn new(predictor: &'p Predictor, stats: InputSpec, width: u32, height: u32) -> Self {
        let spec = &predictor.header.input;
        ScenePrediction {
            predictor,
            tiles: tiles(width, height, spec.tile, spec.overlap),
            stats,
            width,
            height,
            cache: Vec::new(),
            computed: 0,
        }
    }

    /// Tiles over the scene.
    pub fn tile_count(&self) -> usize {
        self.tiles.len()
    }

    /// Tiles computed so far.
    pub fn tiles_done(&self) -> usize {
        self.computed
    }

    /// Tiles that rows `row .. row + rows` need and that are not computed yet. Compute each
    /// (natively [`Predictor::probabilities`]; in the browser [`Predictor::logit_values`] +
    /// [`Predictor::finish`]) and hand it to [`ScenePrediction::insert`], then call
    /// [`ScenePrediction::blend`].
    pub fn pending(&self, row: u32, rows: u32) -> Vec<Window> {
        let end = row + rows;
        self.tiles
            .iter()
            .filter(|t| t.row < end && t.row + t.height > row)
            .filter(|t| !self.cache.iter().any(|(w, _)| w == *t))
            .copied()
            .collect()
    }

    /// Stores a computed tile's probabilities (row-major over the tile).
    pub fn insert(&mut self, tile: Window, probabilities: Vec<f32>) {
        self.computed += 1;
        self.cache.push((tile, probabilities));
    }

    /// The statistics the scene is normalised with.
    pub fn statistics(&self) -> &InputSpec {
        &self.stats
    }

    /// Blended glacier probabilities of rows `row .. row + rows` (row-major, the scene's width)
    /// from the computed tiles, NaN where no tile had data or `masked` (QA_PIXEL cloud or fill,
    /// one flag per pixel of the rows) is set. Tiles no later strip needs are dropped: strips
    /// must be asked for top to bottom.
    pub fn blend(&mut self, row: u32, rows: u32, masked: &[bool]) -> Vec<f32> {
        let rows = rows.min(self.height.saturating_sub(row));
        let region = Window::new(0, row, self.width, rows);
        let end = row + rows;
        let overlap = self.predictor.header.input.overlap;
        let mut blend = Blender::new(region, self.width, self.height, overlap);
        for (tile, p) in &self.cache {
            if tile.row < end && tile.row + tile.height > row {
                blend.add(*tile, p);
            }
        }
        self.cache.retain(|(t, _)| t.row + t.height > end);
        let mut out = blend.finish();
        for (v, m) in out.iter_mut().zip(masked) {
            if *m {
                *v = f32::NAN;
            }
        }
        out
    }

    /// [`pending`](Self::pending), compute, [`insert`](Self::insert) and
    /// [`blend`](Self::blend) in one synchronous call (native backends).
    ///
    /// # Errors
    /// Read errors of the scene and backend errors.
    pub fn rows(
        &mut self,
        reader: &mut ChannelReader<'_>,
        row: u32,
        rows: u32,
    ) -> Result<Vec<f32>, InferError> {
        let rows = rows.min(self.height.saturating_sub(row));
        for tile in self.pending(row, rows) {
            let channels = reader.read(self.predictor.names(), tile)?;
            let p = self
                .predictor
                .probabilities(&self.stats, channels, tile.width, tile.height)?;
            self.insert(tile, p);
        }
        let masked = reader.qa_mask(Window::new(0, row, self.width, rows))?;
        Ok(self.blend(row, rows, &masked))
    }
}

/// Glacier mask from probabilities: 1 glacier, 0 not, 255 no data.
pub fn mask(probabilities: &[f32], threshold: f32) -> Vec<u8> {
    probabilities
        .iter()
        .map(|p| {
            if p.is_nan() {
                255
            } else {
                u8::from(*p >= threshold)
            }
        })
        .collect()
}

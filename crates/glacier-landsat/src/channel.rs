//! Model input channels and the Landsat 8/9 bands they come from.

use std::fmt;

/// A model input channel that comes from a Landsat band.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Channel {
    /// OLI band 2.
    Blue,
    /// OLI band 3.
    Green,
    /// OLI band 4.
    Red,
    /// OLI band 5.
    Nir,
    /// OLI band 6.
    Swir1,
    /// OLI band 7.
    Swir2,
    /// TIRS band 10.
    Tir,
}

impl Channel {
    /// Every channel, in band order.
    pub const ALL: [Channel; 7] = [
        Channel::Blue,
        Channel::Green,
        Channel::Red,
        Channel::Nir,
        Channel::Swir1,
        Channel::Swir2,
        Channel::Tir,
    ];

    /// The channel of a Landsat 8/9 band number.
    pub fn from_landsat89_band(band: u8) -> Option<Channel> {
        Some(match band {
            2 => Channel::Blue,
            3 => Channel::Green,
            4 => Channel::Red,
            5 => Channel::Nir,
            6 => Channel::Swir1,
            7 => Channel::Swir2,
            10 => Channel::Tir,
            _ => return None,
        })
    }

    /// The Landsat 8/9 band number.
    pub fn landsat89_band(self) -> u8 {
        match self {
            Channel::Blue => 2,
            Channel::Green => 3,
            Channel::Red => 4,
            Channel::Nir => 5,
            Channel::Swir1 => 6,
            Channel::Swir2 => 7,
            Channel::Tir => 10,
        }
    }

    /// Lower-case name used on the command line and in model configs.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Blue => "blue",
            Channel::Green => "green",
            Channel::Red => "red",
            Channel::Nir => "nir",
            Channel::Swir1 => "swir1",
            Channel::Swir2 => "swir2",
            Channel::Tir => "tir",
        }
    }

    /// Parses a channel name (`green`, `nir`, `swir1`, `tir`, also `thermal`).
    pub fn parse(name: &str) -> Option<Channel> {
        let lower = name.trim().to_ascii_lowercase();
        Channel::ALL
            .into_iter()
            .find(|c| c.name() == lower)
            .or(match lower.as_str() {
                "thermal" => Some(Channel::Tir),
                _ => None,
            })
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::from_landsat89_band(c.landsat89_band()), Some(c));
            assert_eq!(Channel::parse(c.name()), Some(c));
        }
        assert_eq!(Channel::parse("Thermal"), Some(Channel::Tir));
        assert_eq!(Channel::from_landsat89_band(8), None);
    }
}

//! Collection 2 QA_PIXEL bits (Landsat 8/9 OLI/TIRS) and the mask built from them.
//!
//! | bit | meaning | bit | meaning |
//! |---|---|---|---|
//! | 0 | fill | 6 | clear |
//! | 1 | dilated cloud | 7 | water |
//! | 2 | cirrus | 8–9 | cloud confidence |
//! | 3 | cloud | 10–11 | cloud-shadow confidence |
//! | 4 | cloud shadow | 12–13 | snow/ice confidence |
//! | 5 | snow | 14–15 | cirrus confidence |
//!
//! Confidence pairs: 0 none, 1 low, 2 medium, 3 high. Snow is never masked: glaciers are snow
//! and ice, and masking them would erase what the classifier looks for.

/// One QA_PIXEL value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QaPixel(pub u16);

/// Confidence levels of the two-bit QA fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// 0: not determined.
    None,
    /// 1: low.
    Low,
    /// 2: medium.
    Medium,
    /// 3: high.
    High,
}

impl QaPixel {
    fn bit(self, n: u16) -> bool {
        self.0 >> n & 1 == 1
    }

    fn pair(self, n: u16) -> Confidence {
        match self.0 >> n & 3 {
            0 => Confidence::None,
            1 => Confidence::Low,
            2 => Confidence::Medium,
            _ => Confidence::High,
        }
    }

    /// Bit 0: outside the scene footprint.
    pub fn fill(self) -> bool {
        self.bit(0)
    }
    /// Bit 1: dilated cloud.
    pub fn dilated_cloud(self) -> bool {
        self.bit(1)
    }
    /// Bit 2: cirrus (high confidence).
    pub fn cirrus(self) -> bool {
        self.bit(2)
    }
    /// Bit 3: cloud.
    pub fn cloud(self) -> bool {
        self.bit(3)
    }
    /// Bit 4: cloud shadow.
    pub fn cloud_shadow(self) -> bool {
        self.bit(4)
    }
    /// Bit 5: snow.
    pub fn snow(self) -> bool {
        self.bit(5)
    }
    /// Bit 6: clear (neither cloud nor dilated cloud).
    pub fn clear(self) -> bool {
        self.bit(6)
    }
    /// Bit 7: water.
    pub fn water(self) -> bool {
        self.bit(7)
    }
    /// Bits 8–9.
    pub fn cloud_confidence(self) -> Confidence {
        self.pair(8)
    }
    /// Bits 10–11.
    pub fn cloud_shadow_confidence(self) -> Confidence {
        self.pair(10)
    }
    /// Bits 12–13.
    pub fn snow_ice_confidence(self) -> Confidence {
        self.pair(12)
    }
    /// Bits 14–15.
    pub fn cirrus_confidence(self) -> Confidence {
        self.pair(14)
    }
}

/// Which QA flags make a pixel unusable. Fill always does; snow never does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QaMaskRules {
    /// Mask cloud (bit 3).
    pub cloud: bool,
    /// Mask dilated cloud (bit 1).
    pub dilated_cloud: bool,
    /// Mask cloud shadow (bit 4).
    pub cloud_shadow: bool,
    /// Mask cirrus (bit 2).
    pub cirrus: bool,
}

impl Default for QaMaskRules {
    /// Everything but snow: cloud, dilated cloud, cloud shadow and cirrus.
    fn default() -> Self {
        QaMaskRules {
            cloud: true,
            dilated_cloud: true,
            cloud_shadow: true,
            cirrus: true,
        }
    }
}

impl QaMaskRules {
    /// Whether `qa` makes its pixel unusable.
    pub fn masks(&self, qa: QaPixel) -> bool {
        qa.fill()
            || (self.cloud && qa.cloud())
            || (self.dilated_cloud && qa.dilated_cloud())
            || (self.cloud_shadow && qa.cloud_shadow())
            || (self.cirrus && qa.cirrus())
    }

    /// A mask for a QA band: `true` where the pixel is unusable.
    pub fn mask(&self, qa: &[u16]) -> Vec<bool> {
        qa.iter().map(|q| self.masks(QaPixel(*q))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_documented_values() {
        // 21824 = clear land, low confidences (USGS Landsat 8-9 C2 L2 guide, table 6-3).
        let clear = QaPixel(21824);
        assert!(clear.clear() && !clear.cloud() && !clear.fill());
        assert_eq!(clear.cloud_confidence(), Confidence::Low);
        assert_eq!(clear.cirrus_confidence(), Confidence::Low);
        // 30048 = snow, high snow/ice confidence.
        let snow = QaPixel(30048);
        assert!(snow.snow() && snow.clear());
        assert_eq!(snow.snow_ice_confidence(), Confidence::High);
        assert!(
            !QaMaskRules::default().masks(snow),
            "snow must not be masked"
        );
        // 22280 = high-confidence cloud (bits 3, 8–9), not clear.
        let cloud = QaPixel(22280);
        assert!(cloud.cloud() && !cloud.clear() && !cloud.dilated_cloud());
        assert_eq!(cloud.cloud_confidence(), Confidence::High);
        assert!(QaMaskRules::default().masks(cloud));
        assert!(QaMaskRules::default().masks(QaPixel(1)));
    }
}

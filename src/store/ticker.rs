//! Progress within the apply stage, as the SQLite store reports it: the changes written so far,
//! about every 5% of them (a plan of fewer than 20 changes reports only the stage's ends, which
//! the pipeline sends itself).

pub struct Ticker<'a> {
    report: &'a mut dyn FnMut(u64),
    step: u64,
    total: u64,
    done: u64,
}

impl<'a> Ticker<'a> {
    pub fn new(total: usize, report: &'a mut dyn FnMut(u64)) -> Ticker<'a> {
        Ticker {
            report,
            step: total as u64 / 20,
            total: total as u64,
            done: 0,
        }
    }

    /// Counts `n` more changes written; reports each time the count passes a multiple of 5%,
    /// never the total itself (the stage's end is reported once the transaction commits).
    pub fn advance(&mut self, n: u64) {
        let before = self.done;
        self.done += n;
        if self.step > 0 && self.done / self.step > before / self.step && self.done < self.total {
            (self.report)(self.done);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_about_every_five_percent_and_never_the_total() {
        let mut seen = Vec::new();
        let mut report = |d| seen.push(d);
        let mut t = Ticker::new(100, &mut report);
        for _ in 0..100 {
            t.advance(1);
        }
        assert_eq!(seen, (1..20).map(|i| i * 5).collect::<Vec<u64>>());
    }

    #[test]
    fn a_jump_reports_once_and_a_small_plan_never() {
        let mut seen = Vec::new();
        let mut report = |d| seen.push(d);
        let mut t = Ticker::new(100, &mut report);
        t.advance(3);
        t.advance(40);
        t.advance(57);
        assert_eq!(seen, vec![43]);
        let mut none = Vec::new();
        let mut report = |d| none.push(d);
        let mut small = Ticker::new(19, &mut report);
        small.advance(19);
        assert!(none.is_empty());
    }
}

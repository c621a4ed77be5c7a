import { describe, expect, it } from "vitest";
import { forecastOf, priceCurve, seededRandom } from "../src/index.js";

const WEEK = { days: 7, stepMinutes: 15 };
const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

describe("priceCurve", () => {
  it("the same seed gives the same curve and another seed a different one", () => {
    expect(priceCurve(seededRandom(1), WEEK)).toEqual(priceCurve(seededRandom(1), WEEK));
    expect(priceCurve(seededRandom(2), WEEK)).not.toEqual(priceCurve(seededRandom(1), WEEK));
  });

  it("a week at 15 minutes is 672 integer prices, all positive unless negative middays are asked for", () => {
    const prices = priceCurve(seededRandom(3), WEEK);
    expect(prices).toHaveLength(672);
    expect(prices.every((price) => Number.isInteger(price) && price > 0)).toBe(true);
  });

  it("evenings are dearer than nights on average, so a battery has a spread to trade", () => {
    const prices = priceCurve(seededRandom(4), { days: 28, stepMinutes: 60 });
    const atHour = (hour: number) => mean(prices.filter((_, step) => step % 24 === hour));
    expect(atHour(19)).toBeGreaterThan(1.5 * atHour(3));
  });

  it("weekends are cheaper than weekdays and winter dearer than summer", () => {
    const year = priceCurve(seededRandom(5), { days: 364, stepMinutes: 60 });
    const days = Array.from({ length: 364 }, (_, day) => mean(year.slice(day * 24, day * 24 + 24)));
    expect(mean(days.filter((_, day) => day % 7 >= 5))).toBeLessThan(mean(days.filter((_, day) => day % 7 < 5)));
    expect(mean(days.slice(0, 30))).toBeGreaterThan(mean(days.slice(170, 200)));
  });

  it("sunny middays push some prices below zero when asked, and only around midday", () => {
    const prices = priceCurve(seededRandom(6), { days: 14, stepMinutes: 60, negativeMiddayChance: 0.5 });
    const negativeHours = prices.flatMap((price, step) => (price < 0 ? [step % 24] : []));
    expect(negativeHours.length).toBeGreaterThan(0);
    expect(negativeHours.every((hour) => hour >= 9 && hour <= 17)).toBe(true);
  });
});

describe("forecastOf", () => {
  it("a forecast is reproducible, differs from the actual curve, and its error is about the fraction asked", () => {
    const actual = priceCurve(seededRandom(7), { days: 30, stepMinutes: 15 });
    const forecast = forecastOf(seededRandom(8), actual, { errorFraction: 0.1 });
    expect(forecastOf(seededRandom(8), actual, { errorFraction: 0.1 })).toEqual(forecast);
    expect(forecast).not.toEqual(actual);
    const relativeError = mean(forecast.map((price, step) => Math.abs(price - actual[step]!))) / mean(actual);
    expect(relativeError).toBeGreaterThan(0.03);
    expect(relativeError).toBeLessThan(0.15);
  });

  it("a zero error fraction gives the actual curve back", () => {
    const actual = priceCurve(seededRandom(9), WEEK);
    expect(forecastOf(seededRandom(10), actual, { errorFraction: 0 })).toEqual(actual);
  });
});

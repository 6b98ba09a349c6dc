/* Units of time shared by every layer: days are the model's unit, and a
 * month is an average calendar month. */
#ifndef ITPSIM_UNITS_H
#define ITPSIM_UNITS_H

#define ITP_DAYS_PER_MONTH (365.25 / 12.0)

#endif
